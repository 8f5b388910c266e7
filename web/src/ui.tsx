// The pieces every view is made of: cover art, a track's row with its actions, durations.
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { call, picture } from './api';
import { player, type PlayParams } from './player';
import { Icon } from './icons';
import { href } from './route';
import type { Image, Named, Track } from './types';

export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

export function Cover({ images, size = 'SL160', label }: { images?: Image[]; size?: string; label?: string }) {
  return <img class="cover" src={picture(images, size)} alt={label ?? ''} loading="lazy" width={160} height={160} />;
}

export function Artists({ artists }: { artists?: Named[] }) {
  return (
    <span class="artists">
      {(artists ?? []).map((a, i) => (
        <Fragment key={a.id}>{i > 0 && ', '}<a href={href('artist', a.id)}>{a.name}</a></Fragment>
      ))}
    </span>
  );
}

/// Adds a track to the library or takes it out; `liked` is what the library said.
export function LikeButton({ track, liked }: { track: Track; liked: boolean }) {
  const [on, setOn] = useState(liked);
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    try {
      await call(on ? 'DELETE' : 'PUT', `/v1/me/library/tracks/${encodeURIComponent(track.id)}`);
      setOn(!on);
    } finally {
      setBusy(false);
    }
  };
  return (
    <button class="icon like" aria-pressed={on} disabled={busy} onClick={toggle}
      aria-label={`${on ? 'Remove' : 'Add'} ${track.title} ${on ? 'from' : 'to'} your library`}
      title={on ? 'In your library' : 'Add to your library'}><Icon name={on ? 'heartFull' : 'heart'} /></button>
  );
}

/// One track: play it in its context, queue it next or last, like it.
export function TrackRow({ track, number, context, liked }: {
  track: Track; number?: number; context?: string; liked?: boolean;
}) {
  const params: PlayParams = context ? { id: track.mrn, containerIds: [context] } : { id: track.mrn };
  const [queued, setQueued] = useState<string | null>(null);
  const enqueue = async (where: 'next' | 'last') => {
    if (await player.enqueue(track.mrn, where)) setQueued(where === 'next' ? 'Plays next' : 'Added to the queue');
  };
  return (
    <div class="track" data-track={track.id}>
      <button class="icon play" aria-label={`Play ${track.title}`} onClick={() => player.play(params)}><Icon name="play" /></button>
      {number !== undefined && <span class="number">{number}</span>}
      <span class="title">
        <strong>{track.title}</strong>
        <small><Artists artists={track.artists} />{track.album && <> · <a href={href('album', track.album.id)}>{track.album.title}</a></>}</small>
      </span>
      {queued && <span class="queued" role="status">{queued}</span>}
      <span class="time">{duration(track.duration)}</span>
      {liked !== undefined && <LikeButton track={track} liked={liked} />}
      <button class="icon" aria-label={`Play ${track.title} next`} title="Play next" onClick={() => enqueue('next')}><Icon name="queueNext" /></button>
      <button class="icon" aria-label={`Add ${track.title} to the queue`} title="Add to queue" onClick={() => enqueue('last')}><Icon name="queueLast" /></button>
    </div>
  );
}
