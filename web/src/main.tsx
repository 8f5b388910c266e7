// Medley's web player: sign-in, then the user's devices (their active sessions), kept up to
// date by the notification stream.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { completeSignIn, signIn, signOut, token } from './auth';
import { get } from './api';
import { listen } from './live';

interface User { name: string }
interface ActiveSession {
  sessionId: string;
  track: { title: string };
  metadata: { playbackState: string };
}

function Devices() {
  const [sessions, setSessions] = useState<ActiveSession[] | null>(null);
  const [heard, setHeard] = useState(0);
  useEffect(() => {
    // A read that an answer to a later notice overtook is dropped.
    let current = true;
    get<{ sessions: ActiveSession[] }>('/v1/playback/sessions/active')
      .then((d) => current && setSessions(d.sessions ?? []))
      .catch(() => current && setSessions([]));
    return () => { current = false; };
  }, [heard]);
  useEffect(() => {
    const stop = new AbortController();
    listen(() => setHeard((n) => n + 1), stop.signal);
    return () => stop.abort();
  }, []);
  if (!sessions) return <p>Loading your devices…</p>;
  return (
    <section aria-labelledby="devices">
      <h2 id="devices">Your devices</h2>
      {sessions.length === 0 ? <p>Nothing is playing on any of your devices.</p> : (
        <ul class="devices">
          {sessions.map((s) => (
            <li key={s.sessionId} data-session={s.sessionId}>
              <strong>{s.track.title}</strong> · {s.metadata.playbackState.toLowerCase()}
            </li>
          ))}
        </ul>
      )}
      <p class="live" aria-live="polite">{heard} changes heard live</p>
    </section>
  );
}

function App() {
  const [error, setError] = useState<string | null>(null);
  const [ready, setReady] = useState(false);
  const [user, setUser] = useState<User | null>(null);
  useEffect(() => {
    completeSignIn().then((e) => {
      setError(e);
      setReady(true);
      if (token()) get<{ user: User }>('/v1/me').then((d) => setUser(d.user)).catch(() => setUser(null));
    });
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
  return (
    <>
      <header>
        <h1>Medley</h1>
        <span>
          {user ? `Signed in as ${user.name}` : ''}{' '}
          <button onClick={() => { signOut(); location.reload(); }}>Sign out</button>
        </span>
      </header>
      <main><Devices /></main>
    </>
  );
}

render(<App />, document.getElementById('app')!);
