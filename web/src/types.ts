// The Web API's objects, as far as the player reads them.

export interface Image { url: string }
export interface Named { id: string; name: string }
export interface Album {
  id: string; title: string; mrn: string; artists: Named[]; images: Image[];
  trackCount?: number; releaseDate?: string; duration?: number;
}
export interface Artist { id: string; name: string; mrn: string; images: Image[] }
export interface Playlist {
  id: string; title: string; mrn: string; description?: string; trackCount?: number;
  images: Image[]; curator?: { id: string }; visibility?: string;
}
export interface Track {
  id: string; title: string; mrn: string; duration: number;
  album?: { id: string; title: string }; artists: Named[]; images: Image[];
}

/// A page of a list: `edges` and where the next page starts.
export interface Page<T> {
  pageInfo: { hasNextPage: boolean; token: string | null };
  edges: { cursor: string; node: T }[];
}

export interface Action { isAllowed: boolean; remainingSkips?: number; disableType?: string }
export type ActionName = 'next' | 'previous' | 'scrubForward' | 'scrubBackward' | 'loopOne' |
  'loopAll' | 'shuffle' | 'queueMutations' | 'queueView' | 'rate';
export type Actions = Partial<Record<ActionName, Action>>;

export type LoopMode = 'LOOP_OFF' | 'LOOP_ALL' | 'LOOP_ONE';
export type ShuffleMode = 'SHUFFLE_ON' | 'SHUFFLE_OFF';
export interface Modes { loopMode: LoopMode; shuffleMode: ShuffleMode; playbackState: string }

/// One entry of a session's queue, as the Playback API gives it.
export interface Entity {
  sessionId: string;
  entityReferenceId: string;
  metricId?: string;
  actions: Actions;
  track: {
    id: string; title: string; subtitle?: string; duration: number; images: Image[];
    album?: { id: string; title: string }; artists: Named[];
    playbackInformation?: { url: string; protocol: 'DASH' | 'PROGRESSIVE'; format: string; progressMilliseconds: number | null };
  };
}
export interface EntityPage {
  entities: Entity[];
  pageInfo: { hasNextPage: boolean };
  metadata?: Modes;
}
export interface ActiveSession {
  sessionId: string;
  entityReferenceId: string;
  deviceId: string;
  track: Entity['track'];
  metadata: Modes;
}
