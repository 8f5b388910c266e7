// The now-playing bar: what plays, where it went, and the controls the session's actions allow.
import { usePlayer, usePosition } from './hooks';
import { deviceName, player } from './player';
import { href } from './route';
import type { Action, LoopMode } from './types';
import { Icon } from './icons';
import { Artists, Cover, duration } from './ui';

const LOOP_LABEL: Record<LoopMode, string> = {
  LOOP_OFF: 'Loop is off',
  LOOP_ALL: 'Looping the queue',
  LOOP_ONE: 'Looping this track',
};

function why(a: Action | undefined): string | undefined {
  if (!a || a.isAllowed) return undefined;
  return a.disableType === 'NO_MORE_SKIPS' ? 'No skips left this hour' : 'Not available on your plan';
}

export function NowPlaying() {
  const s = usePlayer();
  const pos = usePosition();
  const cur = s.current;
  if (!cur) return null;
  const t = cur.track;
  const a = cur.actions;
  const total = pos.duration || t.duration;
  const loop = s.modes?.loopMode ?? 'LOOP_OFF';
  const shuffled = s.modes?.shuffleMode === 'SHUFFLE_ON';
  const loopAllowed = (a.loopAll?.isAllowed ?? true) || (a.loopOne?.isAllowed ?? true);
  const canSeek = a.scrubForward?.isAllowed !== false || a.scrubBackward?.isAllowed !== false;
  return (
    <footer class="now" aria-label="Now playing">
      <div class="what">
        <Cover images={t.images} size="SL75" label="" />
        <span>
          <strong data-now={t.id}>{t.title}</strong>
          <small><Artists artists={t.artists} />{t.album && <> · <a href={href('album', t.album.id)}>{t.album.title}</a></>}</small>
        </span>
      </div>
      <div class="controls">
        <button class="icon" onClick={() => player.setShuffle(!shuffled)} aria-pressed={shuffled}
          disabled={a.shuffle?.isAllowed === false} title={why(a.shuffle) ?? 'Shuffle'} aria-label="Shuffle"><Icon name="shuffle" /></button>
        <button class="icon" onClick={() => player.previous()} disabled={a.previous?.isAllowed === false}
          title={why(a.previous) ?? 'Previous'} aria-label="Previous"><Icon name="previous" /></button>
        <button class="icon big" onClick={() => player.toggle()} aria-label={s.playing ? 'Pause' : 'Play'}>
          <Icon name={s.playing ? 'pause' : 'play'} size={26} />
        </button>
        <button class="icon" onClick={() => player.next()} disabled={a.next?.isAllowed === false}
          title={why(a.next) ?? 'Next'} aria-label="Next"><Icon name="next" /></button>
        <button class="icon" onClick={() => player.cycleLoop()} aria-pressed={loop !== 'LOOP_OFF'} disabled={!loopAllowed}
          title={loopAllowed ? LOOP_LABEL[loop] : 'Not available on your plan'} aria-label={`Loop: ${LOOP_LABEL[loop]}`}
          data-loop={loop}><Icon name={loop === 'LOOP_ONE' ? 'loopOne' : 'loop'} /></button>
      </div>
      <div class="seek">
        <span>{duration(pos.time)}</span>
        <input type="range" min={0} max={Math.max(1, Math.floor(total))} step={1} value={Math.floor(pos.time)}
          aria-label="Position" aria-valuetext={`${duration(pos.time)} of ${duration(total)}`} disabled={!canSeek}
          onChange={(e) => player.seek(Number((e.target as HTMLInputElement).value))} />
        <span>{duration(total)}</span>
      </div>
      <div class="status" role="status" aria-live="polite">
        {s.away && <span class="away">Now playing on {deviceName(s.away)}. Press play to bring it back here.</span>}
        {a.next?.remainingSkips !== undefined && (
          <span class="skips">{a.next.remainingSkips === 0 ? 'No skips left this hour' : `${a.next.remainingSkips} skips left this hour`}</span>
        )}
        {s.ended && <span>The queue has ended.</span>}
        {s.message && <span class="error">{s.message}</span>}
        <a href={href('queue')}>Queue</a>
      </div>
    </footer>
  );
}
