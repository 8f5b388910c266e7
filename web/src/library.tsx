// The library: albums, artists and playlists by name, and the page of each.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { call, get, query } from './api';
import { useGet } from './hooks';
import { usePaged, type Paged } from './paged';
import { Icon } from './icons';
import { player } from './player';
import { likedPage, tracksById, withLikes, type LikedTrack } from './reads';
import { href } from './route';
import type { Album, Artist, Image, Page, Playlist } from './types';
import { Artists, Cover, TrackRow, duration } from './ui';
import { VirtualList } from './virtual';

const PAGE = 100;

function AlbumCard({ album }: { album: Album }) {
  return (
    <a class="card" href={href('album', album.id)} data-album={album.id}>
      <Cover images={album.images} label="" />
      <strong>{album.title}</strong>
      <small>{album.artists.map((a) => a.name).join(', ')}</small>
    </a>
  );
}

function PlaylistCard({ playlist }: { playlist: Playlist }) {
  return (
    <a class="card" href={href('playlist', playlist.id)} data-playlist={playlist.id}>
      <Cover images={playlist.images} label="" />
      <strong>{playlist.title}</strong>
      <small>{(playlist.trackCount ?? 0).toLocaleString('en')} tracks</small>
    </a>
  );
}

function ArtistLine({ artist }: { artist: Artist }) {
  return (
    <a class="line" href={href('artist', artist.id)} data-artist={artist.id}>
      <Cover images={artist.images} size="SL75" label="" />
      <strong>{artist.name}</strong>
    </a>
  );
}

/// Reads one page of a catalog list by name.
function byName<T>(kind: string) {
  return (cursor: string | null) =>
    get<Record<string, Page<T>>>(`/v1/catalog/${kind}${query({ limit: PAGE, cursor })}`).then((d) => d[kind]);
}

export function Albums() {
  const list = usePaged<Album>('albums', byName('albums'));
  return (
    <section aria-labelledby="albums-h">
      <h2 id="albums-h">Albums</h2>
      <VirtualList list={list} label="Albums" rowHeight={236} itemWidth={160} empty="The library has no albums yet."
        item={(a) => <AlbumCard album={a} />} />
    </section>
  );
}

export function ArtistList() {
  const list = usePaged<Artist>('artists', byName('artists'));
  return (
    <section aria-labelledby="artists-h">
      <h2 id="artists-h">Artists</h2>
      <VirtualList list={list} label="Artists" rowHeight={64} empty="The library has no artists yet."
        item={(a) => <ArtistLine artist={a} />} />
    </section>
  );
}

export function Playlists() {
  const mine = usePaged<Playlist>('my-playlists', (cursor) =>
    get<{ user: { playlists: Page<Playlist> } }>(`/v1/me/playlists${query({ limit: PAGE, cursor })}`).then((d) => d.user.playlists));
  const catalog = usePaged<Playlist>('catalog-playlists', byName('playlists'));
  return (
    <section aria-labelledby="playlists-h">
      <h2 id="playlists-h">Your playlists</h2>
      <VirtualList list={mine} label="Your playlists" rowHeight={236} itemWidth={160}
        empty="You have no playlists of your own yet." item={(p) => <PlaylistCard playlist={p} />} />
      <h2>From the catalog</h2>
      <VirtualList list={catalog} label="Catalog playlists" rowHeight={236} itemWidth={160}
        empty="The catalog has no playlists." item={(p) => <PlaylistCard playlist={p} />} />
    </section>
  );
}

/// Follows or unfollows an artist or a playlist.
function FollowButton({ kind, id, name }: { kind: 'artists' | 'playlists'; id: string; name: string }) {
  const [revision, setRevision] = useState(0);
  const filter = kind === 'artists' ? 'artistIds' : 'playlistIds';
  const read = useGet<{ user: Record<string, Page<{ id: string }>> }>(
    `/v1/me/followed/${kind}${query({ [filter]: id, limit: 1 })}`, revision);
  const following = read.data ? Object.values(read.data.user).some((p) => p?.edges?.some((e) => e.node.id === id)) : null;
  if (following === null) return null;
  const toggle = async () => {
    await call(following ? 'DELETE' : 'PUT', `/v1/me/followed/${kind}/${encodeURIComponent(id)}`);
    setRevision((r) => r + 1);
  };
  return (
    <button aria-pressed={following} onClick={toggle} aria-label={`${following ? 'Unfollow' : 'Follow'} ${name}`}>
      {following ? 'Following' : 'Follow'}
    </button>
  );
}

function PlayButtons({ mrn, name, children }: { mrn: string; name: string; children?: ComponentChildren }) {
  return (
    <span class="buttons">
      <button class="primary" onClick={() => player.play({ id: mrn })} aria-label={`Play ${name}`}><Icon name="play" /> Play</button>
      <button onClick={() => player.play({ id: mrn }, true)} aria-label={`Shuffle ${name}`}><Icon name="shuffle" /> Shuffle</button>
      {children}
    </span>
  );
}

/// The head of an album's, artist's or playlist's page.
function Hero({ kind, title, images, alt, children }: {
  kind: string; title: string; images: Image[]; alt: string; children: ComponentChildren;
}) {
  return (
    <header class="hero">
      <Cover images={images} size="SL500" label={alt} />
      <div>
        <p class="kind">{kind}</p>
        <h2 id="page-h">{title}</h2>
        {children}
      </div>
    </header>
  );
}

/// What a page shows until its object has been read.
function Pending({ error }: { error: string | null }) {
  return error ? <p class="error" role="alert">{error}</p> : <p>Loading…</p>;
}

/// A view of tracks under a heading: liked tracks, recently played.
export function TrackListView({ title, list, empty }: { title: string; list: Paged<LikedTrack>; empty: string }) {
  return (
    <section aria-labelledby="tracks-h">
      <h2 id="tracks-h">{title}</h2>
      <VirtualList list={list} label={title} rowHeight={56} empty={empty}
        item={(t) => <TrackRow track={t} liked={t.liked} />} />
    </section>
  );
}

export function AlbumPage({ id }: { id: string }) {
  const album = useGet<{ album: Album & { tracks: { id: string }[] } }>(`/v1/albums/${encodeURIComponent(id)}`);
  const [tracks, setTracks] = useState<{ for: string; list: LikedTrack[] } | null>(null);
  const a = album.data?.album;
  useEffect(() => {
    if (!a) return;
    let current = true;
    tracksById(a.tracks.map((t) => t.id)).then(withLikes).then((list) => current && setTracks({ for: a.id, list }));
    return () => { current = false; };
  }, [a?.id]);
  if (!a) return <Pending error={album.error} />;
  return (
    <article aria-labelledby="page-h">
      <Hero kind="Album" title={a.title} images={a.images} alt={`Cover of ${a.title}`}>
        <p><Artists artists={a.artists} />{a.releaseDate && ` · ${a.releaseDate.slice(0, 4)}`} · {a.trackCount} tracks{a.duration ? ` · ${duration(a.duration)}` : ''}</p>
        <PlayButtons mrn={a.mrn} name={a.title} />
      </Hero>
      <div class="tracks" role="list" aria-label={`Tracks of ${a.title}`}>
        {(tracks?.for === a.id ? tracks.list : []).map((t, i) => (
          <div role="listitem" key={t.id}><TrackRow track={t} number={i + 1} context={a.mrn} liked={t.liked} /></div>
        ))}
      </div>
    </article>
  );
}

export function ArtistPage({ id }: { id: string }) {
  const artist = useGet<{ artist: Artist }>(`/v1/artists/${encodeURIComponent(id)}`);
  const path = encodeURIComponent(id);
  const albums = usePaged<Album>(`artist-albums-${id}`, (cursor) =>
    get<{ artist: { albums: Page<Album> } }>(`/v1/artists/${path}/albums${query({ limit: PAGE, cursor })}`).then((d) => d.artist.albums));
  const tracks = usePaged<LikedTrack>(`artist-tracks-${id}`, (cursor) =>
    get<{ artist: { tracks: Page<LikedTrack> } }>(`/v1/artists/${path}/tracks${query({ limit: PAGE, cursor })}`).then((d) => likedPage(d.artist.tracks)));
  const a = artist.data?.artist;
  if (!a) return <Pending error={artist.error} />;
  return (
    <article aria-labelledby="page-h">
      <Hero kind="Artist" title={a.name} images={a.images} alt={`Picture of ${a.name}`}>
        <PlayButtons mrn={a.mrn} name={a.name}><FollowButton kind="artists" id={a.id} name={a.name} /></PlayButtons>
      </Hero>
      <h3>Albums</h3>
      <VirtualList list={albums} label={`Albums by ${a.name}`} rowHeight={236} itemWidth={160}
        empty="No albums." item={(al) => <AlbumCard album={al} />} />
      <h3>Tracks</h3>
      <VirtualList list={tracks} label={`Tracks by ${a.name}`} rowHeight={56} empty="No tracks."
        item={(t) => <TrackRow track={t} context={a.mrn} liked={t.liked} />} />
    </article>
  );
}

export function PlaylistPage({ id }: { id: string }) {
  const playlist = useGet<{ playlist: Playlist }>(`/v1/playlists/${encodeURIComponent(id)}`);
  const tracks = usePaged<LikedTrack>(`playlist-tracks-${id}`, (cursor) =>
    get<{ playlist: { tracks: Page<LikedTrack> } }>(`/v1/playlists/${encodeURIComponent(id)}/tracks${query({ limit: PAGE, cursor })}`)
      .then((d) => likedPage(d.playlist.tracks)));
  const p = playlist.data?.playlist;
  if (!p) return <Pending error={playlist.error} />;
  return (
    <article aria-labelledby="page-h">
      <Hero kind="Playlist" title={p.title} images={p.images} alt={`Cover of ${p.title}`}>
        {p.description && <p>{p.description}</p>}
        <p>{(p.trackCount ?? 0).toLocaleString('en')} tracks</p>
        <PlayButtons mrn={p.mrn} name={p.title}><FollowButton kind="playlists" id={p.id} name={p.title} /></PlayButtons>
      </Hero>
      <VirtualList list={tracks} label={`Tracks of ${p.title}`} rowHeight={56} empty="This playlist is empty."
        item={(t, i) => <TrackRow track={t} number={i + 1} context={p.mrn} liked={t.liked} />} />
    </article>
  );
}

/// The tracks the user added to the library, newest first.
export function Liked() {
  const list = usePaged<LikedTrack>('liked', (cursor) =>
    get<{ user: { libraryTracks: Page<{ id: string }> } }>(`/v1/me/library/tracks${query({ limit: PAGE, cursor })}`)
      .then((d) => likedPage(d.user.libraryTracks)));
  return <TrackListView title="Liked tracks" list={list} empty="Tracks you like show here." />;
}

export { AlbumCard, ArtistLine, PlaylistCard };
