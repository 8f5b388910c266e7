// A list read page by page through the API's cursors, as far as the listener scrolls.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Page } from './types';

export interface Paged<T> {
  items: T[];
  done: boolean;
  error: string | null;
  /// Reads the next page, unless one is being read or there is none.
  more: () => void;
}

/// `read(cursor)` answers one page; the list starts again whenever `key` changes.
export function usePaged<T>(key: string, read: (cursor: string | null) => Promise<Page<T>>): Paged<T> {
  const list = useRef({ key: '', items: [] as T[], cursor: null as string | null, busy: false, done: false, error: null as string | null });
  const [, redraw] = useState(0);
  const more = () => {
    const l = list.current;
    if (l.busy || l.done || l.error) return;
    l.busy = true;
    read(l.cursor).then(
      (page) => {
        if (list.current !== l) return; // the list started again meanwhile
        for (const e of page.edges) l.items.push(e.node);
        l.cursor = page.pageInfo.token;
        l.done = !page.pageInfo.hasNextPage || !l.cursor;
        l.busy = false;
        redraw((n) => n + 1);
      },
      (e: Error) => {
        if (list.current !== l) return;
        l.error = e.message;
        l.busy = false;
        redraw((n) => n + 1);
      },
    );
  };
  if (list.current.key !== key) {
    list.current = { key, items: [], cursor: null, busy: false, done: false, error: null };
  }
  useEffect(() => more(), [key]);
  const l = list.current;
  return { items: l.items, done: l.done, error: l.error, more };
}
