// A long list that renders only the rows on screen (and a few around them), and asks for more
// items as the listener nears the end of what it has: 100,000 tracks scroll like ten. A row
// can hold several items (`perRow`), for a grid of covers.
import type { ComponentChildren } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Paged } from './paged';

const OVERSCAN = 6;

interface Props<T> {
  list: Paged<T>;
  rowHeight: number;
  label: string;
  item: (item: T, index: number) => ComponentChildren;
  empty: string;
  /// The width of one item, for a grid; a list has one item per row.
  itemWidth?: number;
}

export function VirtualList<T>({ list, rowHeight, label, item, empty, itemWidth }: Props<T>) {
  const host = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800, width: 800 });
  useEffect(() => {
    const measure = () => {
      const el = host.current;
      if (!el) return;
      const box = el.getBoundingClientRect();
      setView({ top: -box.top, height: innerHeight, width: box.width });
    };
    measure();
    addEventListener('scroll', measure, { passive: true });
    addEventListener('resize', measure);
    return () => { removeEventListener('scroll', measure); removeEventListener('resize', measure); };
  }, [host.current]);
  const perRow = itemWidth ? Math.max(1, Math.floor(view.width / itemWidth)) : 1;
  const count = list.items.length;
  const rows = Math.ceil(count / perRow);
  const first = Math.max(0, Math.floor(view.top / rowHeight) - OVERSCAN);
  const last = Math.min(rows, Math.ceil((view.top + view.height) / rowHeight) + OVERSCAN);
  useEffect(() => {
    if (!list.done && !list.error && last + OVERSCAN * 2 >= rows) list.more();
  }, [last, rows, list.done]);
  if (list.error) return <p class="error" role="alert">{list.error}</p>;
  if (list.done && count === 0) return <p class="empty">{empty}</p>;
  const shown = [];
  for (let r = first; r < last; r++) {
    const cells = [];
    for (let i = r * perRow; i < Math.min(count, (r + 1) * perRow); i++) {
      cells.push(<div role="listitem" class="cell" key={i}>{item(list.items[i], i)}</div>);
    }
    shown.push(
      <div class="row" key={r} style={{ transform: `translateY(${r * rowHeight}px)`, height: `${rowHeight}px`,
        gridTemplateColumns: `repeat(${perRow}, minmax(0, 1fr))` }}>{cells}</div>,
    );
  }
  return (
    <div ref={host} class="virtual" role="list" aria-label={label} aria-busy={!list.done}
      data-items={count} style={{ height: `${Math.max(rows, 1) * rowHeight}px` }}>
      {shown}
    </div>
  );
}
