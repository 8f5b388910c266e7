// The playing device: one audio element and the Playback API, used exactly as a device must.
// It creates sessions, plays the signed media URL of the entity to play (a DASH manifest
// through Shaka Player, or a file the element plays itself), and reports a start
// event once the audio really plays and a stop event (with the real progress and reason) when
// it stops; it follows what other devices and Alexa do to its session through the live notice.
import shaka from 'shaka-player/dist/shaka-player.dash.js';
import { ApiError, call, deviceId, query } from './api';
import type { ActiveSession, Entity, EntityPage, LoopMode, Modes } from './types';
import type { Notice } from './live';

type Reason = 'userStop' | 'userNext' | 'userPrev' | 'trackFinished' | 'trackScrub';
type TakeOver = 'FORCE' | undefined;

export interface PlayerState {
  current: Entity | null;
  modes: Modes | null;
  playing: boolean;
  /// Where the music went when another device or Alexa took it from this page.
  away: string | null;
  /// The last thing that was refused, in words.
  message: string | null;
  ended: boolean;
  /// Bumped whenever the session's queue may have changed.
  queueRevision: number;
}

export interface PlayParams { id: string; containerIds?: string[] }

/// How a device id reads to a listener.
export function deviceName(id: string): string {
  if (id.startsWith('alexa:')) return 'Alexa';
  if (id === deviceId()) return 'this browser';
  if (id.startsWith('web-')) return 'another web browser';
  return id;
}

function timezone(): string {
  const m = -new Date().getTimezoneOffset();
  const abs = Math.abs(m);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${m < 0 ? '-' : '+'}${two(Math.floor(abs / 60))}:${two(abs % 60)}`;
}

export class Player {
  readonly audio = new Audio();
  state: PlayerState = { current: null, modes: null, playing: false, away: null, message: null, ended: false, queueRevision: 0 };
  private listeners = new Set<() => void>();
  /// A start to report once the audio plays, and how it may take the stream.
  private pendingStart: { takeOver: TakeOver; asked: number } | null = null;
  /// Whether this page holds the stream (a start was accepted and no stop followed).
  private streaming: { since: number } | null = null;
  private rebuffers = 0;
  /// How long the last start took, which every event of the entity repeats.
  private startDelay = 0;
  private starting: Promise<void> | null = null;
  private lastClientTs = 0;
  /// Plays DASH into the audio element, once a DASH URL came.
  private dash: shaka.Player | null = null;
  /// The move to another entity under way, if any.
  private moving: Promise<void> = Promise.resolve();

  constructor() {
    this.audio.preload = 'auto';
    // In the page, so that the browser (and a test) can see what plays.
    this.audio.setAttribute('aria-hidden', 'true');
    document.body.append(this.audio);
    this.audio.addEventListener('playing', () => this.reportPendingStart());
    this.audio.addEventListener('waiting', () => { if (this.streaming) this.rebuffers++; });
    this.audio.addEventListener('ended', () => this.advance('trackFinished'));
    this.audio.addEventListener('error', () => this.unplayable());
  }

  private unplayable(): void {
    if (this.state.current) this.set({ playing: false, message: 'This track could not be played here.' });
  }

  subscribe(on: () => void): () => void {
    this.listeners.add(on);
    return () => this.listeners.delete(on);
  }

  private set(change: Partial<PlayerState>): void {
    this.state = { ...this.state, ...change };
    for (const on of this.listeners) on();
  }

  get sessionId(): string | null {
    return this.state.current?.sessionId ?? null;
  }

  /// Starts a new session on `params` and plays its first entity.
  async play(params: PlayParams, shuffle = false): Promise<void> {
    await this.stopStreaming('userStop');
    try {
      const page = await call<EntityPage>('POST', '/v1/playback/sessions', {
        playParams: params,
        playbackOptions: { playbackContinuationMode: 'AUTOPLAY_OFF', shuffleMode: shuffle ? 'SHUFFLE_ON' : 'SHUFFLE_OFF' },
        limit: 1,
      });
      this.set({ modes: page.metadata ?? null, ended: false });
      await this.load(page.entities[0], 0, 'FORCE');
    } catch (e) {
      this.refused(e);
    }
  }

  /// Continues another device's session here, from where it is.
  async takeOver(sessionId: string, entityReferenceId: string): Promise<void> {
    await this.stopStreaming('userStop');
    try {
      const page = await restore(sessionId, entityReferenceId);
      const e = page.entities[0];
      this.set({ modes: page.metadata ?? null, ended: false });
      await this.load(e, (e.track.playbackInformation?.progressMilliseconds ?? 0) / 1000, 'FORCE');
    } catch (err) {
      this.refused(err);
    }
  }

  /// After a reload: shows what this browser played last, paused, if its session is still
  /// active.
  async reattach(): Promise<void> {
    try {
      const d = await call<{ sessions: ActiveSession[] }>('GET', '/v1/playback/sessions/active');
      const mine = d.sessions.find((s) => s.deviceId === deviceId());
      if (!mine || this.state.current) return;
      const page = await restore(mine.sessionId, mine.entityReferenceId);
      if (!this.state.current && page.entities[0]) this.set({ current: page.entities[0], modes: page.metadata ?? mine.metadata });
    } catch {
      // Nothing to show.
    }
  }

  /// The page is going away: what plays stops, and the server hears it.
  async leave(): Promise<void> {
    if (this.streaming) await this.stopStreaming('userStop');
  }

  toggle(): void {
    if (!this.state.current) return;
    if (this.state.playing) {
      this.audio.pause();
      this.set({ playing: false });
      void this.stopStreaming('userStop');
    } else {
      this.resume();
    }
  }

  /// Plays on from where the audio is; when another device has played it since, from where
  /// that device is (restoring the session here), taking the stream back.
  private resume(): void {
    const cur = this.state.current;
    if (!cur) return;
    if (this.state.away || !this.audio.dataset.source) {
      void this.takeOver(cur.sessionId, cur.entityReferenceId);
      return;
    }
    this.pendingStart = { takeOver: 'FORCE', asked: performance.now() };
    this.set({ playing: true, away: null, message: null });
    this.audio.play().catch(() => this.set({ playing: false }));
  }

  async seek(seconds: number): Promise<void> {
    const cur = this.state.current;
    if (!cur) return;
    const allowed = seconds >= this.audio.currentTime ? cur.actions.scrubForward : cur.actions.scrubBackward;
    if (allowed && !allowed.isAllowed) {
      this.set({ message: 'Seeking is not available on your plan.' });
      return;
    }
    const wasPlaying = this.state.playing;
    if (this.streaming) {
      this.audio.pause();
      if (!(await this.stopStreaming('trackScrub'))) return;
    }
    this.audio.currentTime = seconds;
    if (wasPlaying) this.resume();
  }

  next(): Promise<void> { return this.advance('userNext'); }
  previous(): Promise<void> { return this.advance('userPrev'); }

  /// Leaves the current entity (reporting why) and plays the one the queue gives next.
  /// Moves one entity on or back. Moves queue behind each other: a second press of Next while
  /// the first one's track is still loading goes on from that track once it has started, not
  /// from the one before it (which the server would still call current).
  private advance(reason: 'userNext' | 'userPrev' | 'trackFinished'): Promise<void> {
    const cur = this.state.current;
    if (!cur) return Promise.resolve();
    const action = reason === 'userPrev' ? cur.actions.previous : reason === 'userNext' ? cur.actions.next : undefined;
    if (action && !action.isAllowed) {
      this.set({ message: refusal(action.disableType) });
      return Promise.resolve();
    }
    // A track that never starts (a stalled stream) holds the next move up for 5 s at most.
    const before = Promise.race([this.moving, new Promise((r) => setTimeout(r, 5_000))]);
    const run = before.then(() => this.move(reason));
    this.moving = run.catch(() => undefined);
    return run;
  }

  private async move(reason: 'userNext' | 'userPrev' | 'trackFinished'): Promise<void> {
    const cur = this.state.current;
    if (!cur) return;
    if (reason !== 'trackFinished') this.audio.pause();
    if (!(await this.stopStreaming(reason, true))) return;
    try {
      const side = reason === 'userPrev' ? 'previous' : 'next';
      const page = await call<EntityPage>('GET', `/v1/playback/sessions/${cur.sessionId}/${side}${query({ limit: 1 })}`);
      const e = page.entities[0];
      if (page.metadata) this.set({ modes: page.metadata });
      if (!e) {
        this.audio.pause();
        this.set({ playing: false, ended: reason === 'trackFinished', message: reason === 'userPrev' ? 'Nothing played before this.' : null });
        return;
      }
      await this.load(e, 0, reason === 'trackFinished' ? undefined : 'FORCE');
    } catch (err) {
      this.refused(err);
    }
  }

  async setShuffle(on: boolean): Promise<void> {
    await this.change('shuffle', { shuffleMode: on ? 'SHUFFLE_ON' : 'SHUFFLE_OFF' });
  }

  /// Off, then the whole queue, then this track.
  async cycleLoop(): Promise<void> {
    const order: LoopMode[] = ['LOOP_OFF', 'LOOP_ALL', 'LOOP_ONE'];
    const now = this.state.modes?.loopMode ?? 'LOOP_OFF';
    await this.change('loop', { loopMode: order[(order.indexOf(now) + 1) % order.length] });
  }

  private async change(what: 'shuffle' | 'loop', body: object): Promise<void> {
    const id = this.sessionId;
    if (!id) return;
    try {
      const answer = await call<{ metadata: Modes }>('PUT', `/v1/playback/sessions/${id}/${what}`, body);
      this.set({ modes: answer.metadata, queueRevision: this.state.queueRevision + 1, message: null });
    } catch (e) {
      this.refused(e);
    }
  }

  /// Queue next (right after what plays) or queue last (after the album or playlist).
  async enqueue(trackMrn: string, where: 'next' | 'last'): Promise<boolean> {
    const id = this.sessionId;
    if (!id) {
      this.set({ message: 'Play something first, then add to its queue.' });
      return false;
    }
    try {
      await call('POST', `/v1/playback/sessions/${id}/queue/${where}`, { playParams: { id: trackMrn } });
      this.set({ queueRevision: this.state.queueRevision + 1, message: null, ended: false });
      return true;
    } catch (e) {
      this.refused(e);
      return false;
    }
  }

  /// A notice of the live stream about one of the user's sessions.
  async notice(n: Notice): Promise<void> {
    const id = this.sessionId;
    if (!id || n.data.sessionId !== id) return;
    const by = (n.data.deviceId ?? n.data.byDeviceId) as string | undefined;
    switch (n.event) {
      case 'stream.taken':
        this.lost(by ?? 'another device');
        break;
      case 'playback.started':
        if (by && by !== deviceId()) {
          this.lost(by);
          await this.follow();
        }
        break;
      case 'queue.changed':
        await this.follow();
        break;
      case 'session.ended':
        this.set({ ended: true, queueRevision: this.state.queueRevision + 1 });
        break;
    }
  }

  /// Another device or Alexa has the stream now: stop at once, without a stop event (the
  /// stream is no longer this page's to stop).
  private lost(by: string): void {
    this.streaming = null;
    this.pendingStart = null;
    this.audio.pause();
    this.set({ playing: false, away: by });
  }

  /// Reads what the session plays now (a move by Alexa or another device), and its modes.
  private async follow(): Promise<void> {
    const id = this.sessionId;
    if (!id) return;
    try {
      const page = await call<EntityPage>('GET', `/v1/playback/sessions/${id}/current`);
      const e = page.entities[0];
      const moved = e && e.entityReferenceId !== this.state.current?.entityReferenceId;
      if (moved && !this.state.playing) this.forget();
      this.set({
        current: moved && !this.state.playing ? e : this.state.current,
        modes: page.metadata ?? this.state.modes,
        queueRevision: this.state.queueRevision + 1,
      });
    } catch {
      // The session is gone (expired): keep showing what was last known.
    }
  }

  /// Plays `e` from `offset` seconds; its start event is reported once the audio plays.
  private async load(e: Entity | undefined, offset: number, takeOver: TakeOver): Promise<void> {
    if (!e?.track.playbackInformation) {
      this.set({ message: 'There is nothing to play.' });
      return;
    }
    this.set({ current: e, playing: true, away: null, message: null, queueRevision: this.state.queueRevision + 1 });
    this.pendingStart = { takeOver, asked: performance.now() };
    try {
      await this.open(e.track.playbackInformation.url, e.track.playbackInformation.protocol, offset);
      await this.audio.play();
    } catch {
      this.pendingStart = null;
      this.set({ playing: false });
    }
  }

  /// Puts `url` in the audio element at `offset` seconds: through Shaka for DASH, as the
  /// element's source for a file. `data-source` says which URL it is (tests read it).
  private async open(url: string, protocol: string, offset: number): Promise<void> {
    this.audio.dataset.source = url;
    if (protocol === 'DASH') {
      if (!this.dash) {
        this.dash = new shaka.Player();
        this.dash.addEventListener('error', () => this.unplayable());
        await this.dash.attach(this.audio);
      } else {
        // At once, as a new file would: the element shows nothing of the last track's time.
        await this.dash.unload();
      }
      await this.dash.load(url, offset > 0 ? offset : null);
      return;
    }
    if (this.dash) {
      await this.dash.detach();
      this.dash = null;
    }
    this.audio.src = url;
    if (offset > 0) this.audio.currentTime = offset;
  }

  /// Forgets what the audio element holds: the next play loads afresh. (Shaka keeps the
  /// stale stream until then: unloading it now could cut into a load under way.)
  private forget(): void {
    delete this.audio.dataset.source;
    if (!this.dash) this.audio.removeAttribute('src');
  }

  /// Reports the start of what the page put in the audio element, once: when it starts to
  /// sound, or when a move leaves it before (the server then moves on from the track shown,
  /// not from the one before it, which it would still call current).
  private reportPendingStart(): void {
    const pending = this.pendingStart;
    const cur = this.state.current;
    if (!pending || !cur?.metricId) return;
    this.pendingStart = null;
    this.starting = this.reportStart(cur, pending).finally(() => { this.starting = null; });
  }

  private async reportStart(cur: Entity, pending: { takeOver: TakeOver; asked: number }): Promise<void> {
    this.rebuffers = 0;
    this.startDelay = Math.round(performance.now() - pending.asked);
    const ok = await this.report(cur, {
      type: 'start',
      playbackStartAbsoluteOffsetMilliseconds: Math.round(this.audio.currentTime * 1000),
    }, pending.takeOver);
    if (ok) {
      this.streaming = { since: performance.now() };
    } else {
      this.audio.pause();
      this.set({ playing: false });
    }
  }

  /// Reports the stop of what plays, if this page holds the stream; `always` reports it anyway
  /// (a skip while paused is still a skip). False when the server refused it.
  private async stopStreaming(reason: Reason, always = false): Promise<boolean> {
    if (always) this.reportPendingStart();
    this.pendingStart = null;
    // A start still on its way is reported before its stop.
    if (this.starting) await this.starting;
    const cur = this.state.current;
    const streaming = this.streaming;
    if (!cur?.metricId || (!streaming && !always)) return true;
    this.streaming = null;
    return this.report(cur, {
      type: 'stop',
      durationSeconds: streaming ? Math.round((performance.now() - streaming.since) / 1000) : 0,
      entityProgressSeconds: Math.min(Math.floor(this.audio.currentTime), cur.track.duration),
      rebufferCount: this.rebuffers,
      terminationReason: reason,
    });
  }

  private async report(e: Entity, event: Record<string, unknown>, takeOver?: TakeOver): Promise<boolean> {
    // Two events of one entity never share a timestamp, so neither is taken for a retry.
    const ts = Math.max(Date.now(), this.lastClientTs + 1);
    this.lastClientTs = ts;
    try {
      await call('POST', '/v1/playback/event', {
        metricId: e.metricId,
        event: { ...event, clientTimestampInMilliseconds: ts, initialPlaybackDelayMilliseconds: this.startDelay, deviceTimezone: timezone(), playbackCurrentSpeed: this.audio.playbackRate || 1 },
        ...(takeOver ? { options: { takeOverType: takeOver } } : {}),
      });
      return true;
    } catch (err) {
      this.refused(err);
      return false;
    }
  }

  private refused(e: unknown): void {
    const message = e instanceof ApiError ? explain(e) : 'Medley could not be reached.';
    this.set({ message, playing: this.state.playing && !(e instanceof ApiError && e.status === 422) });
  }
}

/// Restore Playback Session: the session moves to this browser at that entity, which comes
/// with where it was (or is, when another device plays it).
function restore(sessionId: string, entityReferenceId: string): Promise<EntityPage> {
  return call<EntityPage>('GET', `/v1/playback/sessions/${sessionId}/entities/${entityReferenceId}${query({ limit: 1 })}`);
}

function refusal(disableType?: string): string {
  return disableType === 'NO_MORE_SKIPS'
    ? 'You have used all your skips for this hour.'
    : 'That is not available on your plan.';
}

function explain(e: ApiError): string {
  if (e.code === 'MAX_CONCURRENCY_REACHED' || e.code === 'TAKE_OVER_DEVICE_STREAMING_ERROR') {
    return 'Another device is playing right now.';
  }
  if (e.code === 'ACTION_NOT_ALLOWED') return /skip/i.test(e.message) ? refusal('NO_MORE_SKIPS') : `Not allowed: ${e.message}`;
  return e.message;
}

export const player = new Player();
