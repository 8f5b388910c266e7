// Medley's web player: sign-in, the library, the now-playing bar and the queue, the user's
// devices; the live notice keeps it in step with what other devices and Alexa do.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { get } from './api';
import { completeSignIn, keepRenewed, signIn, signOut, token } from './auth';
import { Devices } from './devices';
import { AlbumPage, Albums, ArtistList, ArtistPage, Liked, PlaylistPage, Playlists } from './library';
import { listen } from './live';
import { NowPlaying } from './nowplaying';
import { player } from './player';
import { Queue } from './queue';
import { Recent } from './recent';
import { href, useRoute } from './route';
import { Search } from './search';

interface User { name: string }

const NAV = [
  ['albums', 'Albums'], ['artists', 'Artists'], ['playlists', 'Playlists'], ['liked', 'Liked'],
  ['recent', 'Recently played'], ['search', 'Search'], ['queue', 'Queue'], ['devices', 'Devices'],
] as const;

const SEEK_STEP = 10;

/// Keys that steer the player anywhere on the page but in a text field.
function onKey(e: KeyboardEvent): void {
  const target = e.target as HTMLElement;
  if (e.ctrlKey || e.metaKey || e.altKey || target.closest('input, textarea, select')) return;
  const a = player.audio;
  const keys: Record<string, () => void> = {
    ' ': () => player.toggle(),
    ArrowRight: () => (e.shiftKey ? player.next() : player.seek(a.currentTime + SEEK_STEP)),
    ArrowLeft: () => (e.shiftKey ? player.previous() : player.seek(Math.max(0, a.currentTime - SEEK_STEP))),
    s: () => player.setShuffle(player.state.modes?.shuffleMode !== 'SHUFFLE_ON'),
    l: () => player.cycleLoop(),
    '/': () => { location.hash = '#/search'; },
  };
  const act = keys[e.key];
  // Space on a button or link presses it, as it should.
  if (act && !(e.key === ' ' && target.closest('button, a'))) {
    e.preventDefault();
    act();
  }
}

function View({ heard }: { heard: number }) {
  const route = useRoute();
  switch (route.view) {
    case 'album': return <AlbumPage id={route.id ?? ''} />;
    case 'artist': return <ArtistPage id={route.id ?? ''} />;
    case 'playlist': return <PlaylistPage id={route.id ?? ''} />;
    case 'artists': return <ArtistList />;
    case 'playlists': return <Playlists />;
    case 'liked': return <Liked />;
    case 'recent': return <Recent heard={heard} />;
    case 'search': return <Search initial={route.q ?? ''} />;
    case 'queue': return <Queue />;
    case 'devices': return <Devices heard={heard} />;
    default: return <Albums />;
  }
}

function Nav() {
  const route = useRoute();
  return (
    <nav aria-label="Library">
      {NAV.map(([view, label]) => (
        <a key={view} href={href(view)} aria-current={route.view === view ? 'page' : undefined}>{label}</a>
      ))}
    </nav>
  );
}

function Signed() {
  const [user, setUser] = useState<User | null>(null);
  const [heard, setHeard] = useState(0);
  useEffect(() => {
    get<{ user: User }>('/v1/me').then((d) => setUser(d.user)).catch(() => setUser(null));
    void player.reattach();
    const stop = new AbortController();
    listen((n) => { void player.notice(n); setHeard((h) => h + 1); }, stop.signal);
    addEventListener('keydown', onKey);
    const leave = () => void player.leave();
    addEventListener('pagehide', leave);
    const stopRenewing = keepRenewed();
    return () => {
      stop.abort(); stopRenewing(); removeEventListener('keydown', onKey); removeEventListener('pagehide', leave);
    };
  }, []);
  return (
    <>
      <header class="top">
        <h1><a href="#/albums">Medley</a></h1>
        <Nav />
        <span class="who">
          {user ? <span>Signed in as {user.name}</span> : null}
          <button onClick={async () => { await player.leave(); await signOut(); location.reload(); }}>Sign out</button>
        </span>
      </header>
      <main><View heard={heard} /></main>
      <NowPlaying />
    </>
  );
}

function App() {
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    completeSignIn().then((e) => { setError(e); setReady(true); });
  }, []);
  if (!ready) return null;
  if (!token()) {
    return (
      <main class="welcome">
        <h1>Medley</h1>
        <p>Your music, from your own server.</p>
        {error && <p class="error" role="alert">{error}</p>}
        <button class="primary" onClick={() => signIn()}>Sign in</button>
      </main>
    );
  }
  return <Signed />;
}

render(<App />, document.getElementById('app')!);
