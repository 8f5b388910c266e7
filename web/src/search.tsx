// Search as you type, across tracks, albums, artists and playlists.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, query } from './api';
import { AlbumCard, ArtistLine, PlaylistCard } from './library';
import { withLikes, type LikedTrack } from './reads';
import type { Album, Artist, Playlist, Track } from './types';
import { TrackRow } from './ui';

const PAUSE_MS = 150;
const MAX_QUERY = 200;

interface Group { id: string; title: string; entities: ({ _type: string } & Record<string, unknown>)[] }
interface Results { tracks: LikedTrack[]; albums: Album[]; artists: Artist[]; playlists: Playlist[] }

function group(groups: Group[], id: string) {
  return groups.find((g) => g.id === id)?.entities ?? [];
}

export function Search({ initial }: { initial: string }) {
  const [text, setText] = useState(initial);
  const [results, setResults] = useState<{ for: string; found: Results } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const box = useRef<HTMLInputElement>(null);
  useEffect(() => box.current?.focus(), []);
  useEffect(() => {
    const q = text.trim();
    history.replaceState(null, '', `#/search${q ? `?q=${encodeURIComponent(q)}` : ''}`);
    if (!q) { setResults(null); return; }
    let current = true;
    const timer = setTimeout(async () => {
      try {
        const views = await get<{ id: string; content: { entityGroups: Group[] } }[]>(`/v1/search${query({ query: q, limit: 10 })}`);
        const groups = views.flatMap((v) => v.content.entityGroups);
        const found: Results = {
          tracks: await withLikes(group(groups, 'tracks') as unknown as Track[]),
          albums: group(groups, 'albums') as unknown as Album[],
          artists: group(groups, 'artists') as unknown as Artist[],
          playlists: group(groups, 'playlists') as unknown as Playlist[],
        };
        if (current) { setResults({ for: q, found }); setError(null); }
      } catch (e) {
        if (current) setError((e as Error).message);
      }
    }, PAUSE_MS);
    return () => { current = false; clearTimeout(timer); };
  }, [text]);
  const r = results?.found;
  const nothing = r && !r.tracks.length && !r.albums.length && !r.artists.length && !r.playlists.length;
  return (
    <section aria-labelledby="search-h">
      <h2 id="search-h">Search</h2>
      <input ref={box} type="search" class="search" value={text} maxLength={MAX_QUERY}
        placeholder="Artists, albums, tracks, playlists" aria-label="Search the library"
        onInput={(e) => setText((e.target as HTMLInputElement).value)} />
      {error && <p class="error" role="alert">{error}</p>}
      <div aria-live="polite">
        {nothing && <p>Nothing matches “{results!.for}”.</p>}
        {r && r.tracks.length > 0 && (
          <><h3>Tracks</h3><div class="tracks" role="list" aria-label="Tracks found">
            {r.tracks.map((t) => <div role="listitem" key={t.id}><TrackRow track={t} liked={t.liked} /></div>)}
          </div></>
        )}
        {r && r.albums.length > 0 && (
          <><h3>Albums</h3><div class="grid" role="list" aria-label="Albums found">
            {r.albums.map((a) => <div role="listitem" key={a.id}><AlbumCard album={a} /></div>)}
          </div></>
        )}
        {r && r.artists.length > 0 && (
          <><h3>Artists</h3><div role="list" aria-label="Artists found">
            {r.artists.map((a) => <div role="listitem" key={a.id}><ArtistLine artist={a} /></div>)}
          </div></>
        )}
        {r && r.playlists.length > 0 && (
          <><h3>Playlists</h3><div class="grid" role="list" aria-label="Playlists found">
            {r.playlists.map((p) => <div role="listitem" key={p.id}><PlaylistCard playlist={p} /></div>)}
          </div></>
        )}
      </div>
    </section>
  );
}
