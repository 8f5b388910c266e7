// The user's devices (their active sessions), kept up to date by the live notice, with
// take-over: continue here what another device plays.
import { useState } from 'preact/hooks';
import { QUALITIES, deviceId, quality, setQuality } from './api';
import { useGet } from './hooks';
import { deviceName, player } from './player';
import type { ActiveSession } from './types';

export function Devices({ heard }: { heard: number }) {
  const read = useGet<{ sessions: ActiveSession[] }>('/v1/playback/sessions/active', heard);
  const sessions = read.data?.sessions;
  if (read.error) return <p class="error" role="alert">{read.error}</p>;
  if (!sessions) return <p>Loading your devices…</p>;
  return (
    <section aria-labelledby="devices">
      <h2 id="devices">Your devices</h2>
      {sessions.length === 0 ? <p>Nothing is playing on any of your devices.</p> : (
        <ul class="devices">
          {sessions.map((s) => {
            const here = s.deviceId === deviceId();
            return (
              <li key={s.sessionId} data-session={s.sessionId} data-device={s.deviceId}>
                <span>
                  <strong>{s.track.title}</strong> · {s.metadata.playbackState.toLowerCase()}
                  <small> on {deviceName(s.deviceId)}</small>
                </span>
                {!here && (
                  <button onClick={() => player.takeOver(s.sessionId, s.entityReferenceId)}
                    aria-label={`Play ${s.track.title} here`}>Play here</button>
                )}
              </li>
            );
          })}
        </ul>
      )}
      <p class="live" aria-live="polite">{heard} changes heard live</p>
      <h3>This browser</h3>
      <Quality />
    </section>
  );
}

/// The quality this browser asks for (its capability header); the plan may give less.
function Quality() {
  const [value, setValue] = useState(quality());
  return (
    <label class="quality">
      Audio quality{' '}
      <select value={value} onChange={(e) => { const v = (e.target as HTMLSelectElement).value; setQuality(v); setValue(v); }}>
        {QUALITIES.map((q) => <option key={q.capability} value={q.capability}>{q.label}</option>)}
      </select>
      <small> from the next track on</small>
    </label>
  );
}
