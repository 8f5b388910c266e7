// Recently played: the user's listening history, newest first.
import { get, query } from './api';
import { usePaged } from './paged';
import { tracksById, withLikes, type LikedTrack } from './reads';
import type { Page } from './types';
import { TrackListView } from './library';

type Played = LikedTrack & { playedAt: string };

async function page(cursor: string | null): Promise<Page<Played>> {
  const d = await get<{ user: { recentTrackPlayback: { pageInfo: Page<unknown>['pageInfo']; edges: { playedAt: string; node: { id: string } }[] } } }>(
    `/v1/player/recentlyPlayed${query({ limit: 60, cursor })}`);
  const edges = d.user.recentTrackPlayback.edges;
  const tracks = new Map((await withLikes(await tracksById([...new Set(edges.map((e) => e.node.id))]))).map((t) => [t.id, t]));
  return {
    pageInfo: d.user.recentTrackPlayback.pageInfo,
    edges: edges.filter((e) => tracks.has(e.node.id))
      .map((e) => ({ cursor: '', node: { ...tracks.get(e.node.id)!, playedAt: e.playedAt } })),
  };
}

export function Recent({ heard }: { heard: number }) {
  const list = usePaged<Played>(`recent-${heard}`, page);
  return <TrackListView title="Recently played" list={list} empty="What you play shows here." />;
}
