// The queue of the session this page plays: what played, what plays, what comes.
import { query } from './api';
import { useGet, usePlayer } from './hooks';
import type { EntityPage } from './types';
import { Artists, duration } from './ui';

const LIMIT = 10;

function Entries({ page, label, current }: { page: EntityPage; label: string; current?: string }) {
  return (
    <ol class="queue" aria-label={label}>
      {page.entities.map((e) => (
        <li key={e.entityReferenceId} data-entity={e.entityReferenceId} data-track={e.track.id}
          aria-current={e.entityReferenceId === current ? 'true' : undefined}>
          <strong>{e.track.title}</strong> <small><Artists artists={e.track.artists} /> · {duration(e.track.duration)}</small>
        </li>
      ))}
    </ol>
  );
}

export function Queue() {
  const s = usePlayer();
  const id = s.current?.sessionId;
  const allowed = s.current?.actions.queueView?.isAllowed !== false;
  const upcoming = useGet<EntityPage>(id && allowed ? `/v1/playback/sessions/${id}/queue${query({ limit: LIMIT })}` : null, s.queueRevision);
  const played = useGet<EntityPage>(id && allowed ? `/v1/playback/sessions/${id}/previous${query({ limit: LIMIT })}` : null, s.queueRevision);
  if (!id) return <section><h2>Queue</h2><p>Nothing is playing in this browser.</p></section>;
  if (!allowed) return <section><h2>Queue</h2><p>Your plan does not show the queue.</p></section>;
  const modes = upcoming.data?.metadata;
  return (
    <section aria-labelledby="queue-h">
      <h2 id="queue-h">Queue</h2>
      {modes && <p class="modes" data-modes={`${modes.shuffleMode} ${modes.loopMode}`}>
        {modes.shuffleMode === 'SHUFFLE_ON' ? 'Shuffled' : 'In order'} · {modes.loopMode === 'LOOP_OFF' ? 'no loop' : modes.loopMode === 'LOOP_ALL' ? 'looping the queue' : 'looping the track'}
      </p>}
      {upcoming.error && <p class="error" role="alert">{upcoming.error}</p>}
      {upcoming.data && <><h3>Playing and up next</h3><Entries page={upcoming.data} label="Playing and up next" current={s.current?.entityReferenceId} />
        {upcoming.data.pageInfo.hasNextPage && <p class="more">…and more after these.</p>}</>}
      {played.data && played.data.entities.length > 0 && <><h3>Played before</h3><Entries page={played.data} label="Played before" /></>}
    </section>
  );
}
