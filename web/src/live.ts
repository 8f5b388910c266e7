// The notification stream (GET /v1/playback/notifications) read with fetch(), since
// EventSource cannot send the credentials' headers; it reconnects with the last id it saw.
import { headers, signedOut } from './api';
import { renewAfterRefusal } from './auth';

export interface Notice { event: string; id?: string; data: Record<string, unknown> }

/// Calls `on` with every notice until `signal` aborts; `resync` notices tell it to read again.
export async function listen(on: (n: Notice) => void, signal: AbortSignal): Promise<void> {
  let last: string | undefined;
  while (!signal.aborted) {
    try {
      const res = await fetch('/v1/playback/notifications', {
        headers: { ...(await headers()), ...(last ? { 'last-event-id': last } : {}) },
        signal,
      });
      if (res.status === 401) {
        if (!(await renewAfterRefusal())) signedOut();
        continue;
      }
      const reader = res.body!.getReader();
      const text = new TextDecoder();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += text.decode(value, { stream: true });
        let end;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const field = (k: string) =>
            block.split('\n').find((l) => l.startsWith(`${k}: `))?.slice(k.length + 2);
          const event = field('event');
          if (!event) continue;
          const id = field('id');
          if (id) last = id;
          on({ event, id, data: JSON.parse(field('data') ?? '{}') });
        }
      }
    } catch {
      if (signal.aborted) return;
    }
    await new Promise((ok) => setTimeout(ok, 1000));
  }
}
