// Reads the views share: tracks by id, with whether each is in the user's library.
import { get, query } from './api';
import type { Page, Track } from './types';

export type LikedTrack = Track & { liked: boolean };

const BATCH = 100;

/// The tracks of `ids`, in that order (those the catalog no longer has are left out).
export async function tracksById(ids: string[]): Promise<Track[]> {
  const found = new Map<string, Track>();
  for (let i = 0; i < ids.length; i += BATCH) {
    const part = ids.slice(i, i + BATCH);
    const d = await get<{ tracks: Track[] }>(`/v1/tracks${query({ ids: part.join(',') })}`);
    for (const t of d.tracks) found.set(t.id, t);
  }
  return ids.map((id) => found.get(id)).filter((t): t is Track => !!t);
}

/// `tracks`, each marked with whether the user's library holds it.
export async function withLikes(tracks: Track[]): Promise<LikedTrack[]> {
  const liked = new Set<string>();
  for (let i = 0; i < tracks.length; i += BATCH) {
    const ids = tracks.slice(i, i + BATCH).map((t) => t.id).join(',');
    const d = await get<{ user: { libraryTracks: Page<{ id: string }> } }>(
      `/v1/me/library/tracks${query({ trackIds: ids, limit: BATCH })}`);
    for (const e of d.user.libraryTracks.edges) liked.add(e.node.id);
  }
  return tracks.map((t) => ({ ...t, liked: liked.has(t.id) }));
}

/// A page whose nodes are tracks (or name tracks by id), as liked tracks.
export async function likedPage(page: Page<Track | { id: string }>): Promise<Page<LikedTrack>> {
  const nodes = page.edges.map((e) => e.node);
  const full = nodes.every((n) => 'title' in n && 'duration' in n)
    ? (nodes as Track[])
    : await tracksById(nodes.map((n) => n.id));
  const tracks = await withLikes(full);
  return { pageInfo: page.pageInfo, edges: tracks.map((node) => ({ cursor: '', node })) };
}
