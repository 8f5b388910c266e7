// Small hooks the views share: an API read, and the player's state.
import { useEffect, useState } from 'preact/hooks';
import { get } from './api';
import { player, type PlayerState } from './player';

export interface Read<T> { data: T | null; error: string | null }

/// Reads `path` (again whenever it or `revision` changes); an answer overtaken by a later read is dropped.
export function useGet<T>(path: string | null, revision = 0): Read<T> {
  const [read, setRead] = useState<Read<T>>({ data: null, error: null });
  useEffect(() => {
    if (!path) return;
    let current = true;
    get<T>(path).then(
      (data) => current && setRead({ data, error: null }),
      (e: Error) => current && setRead({ data: null, error: e.message }),
    );
    return () => { current = false; };
  }, [path, revision]);
  return read;
}

export function usePlayer(): PlayerState {
  const [state, setState] = useState(player.state);
  useEffect(() => player.subscribe(() => setState(player.state)), []);
  return state;
}

/// The audio element's position, a few times a second.
export function usePosition(): { time: number; duration: number } {
  const [pos, setPos] = useState({ time: 0, duration: 0 });
  useEffect(() => {
    const a = player.audio;
    const on = () => setPos({ time: a.currentTime, duration: Number.isFinite(a.duration) ? a.duration : 0 });
    for (const e of ['timeupdate', 'durationchange', 'seeked', 'emptied']) a.addEventListener(e, on);
    return () => { for (const e of ['timeupdate', 'durationchange', 'seeked', 'emptied']) a.removeEventListener(e, on); };
  }, []);
  return pos;
}
