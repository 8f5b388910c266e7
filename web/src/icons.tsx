// The player's icons, drawn as SVG so that they look the same whatever fonts the system has.

const SHAPES = {
  play: { fill: 'M8 5v14l11-7z' },
  pause: { fill: 'M6 5h4v14H6zM14 5h4v14h-4z' },
  next: { fill: 'M6 6l8.5 6L6 18zM16 6h2v12h-2z' },
  previous: { fill: 'M18 6v12l-8.5-6zM6 6h2v12H6z' },
  shuffle: { stroke: 'M3 7h4l9 10h5M3 17h4l2.5-2.8M13.5 9.8L16 7h5M18.5 4.5L21 7l-2.5 2.5M18.5 14.5L21 17l-2.5 2.5' },
  loop: { stroke: 'M4 12V9a3 3 0 013-3h12M16 3l3 3-3 3M20 12v3a3 3 0 01-3 3H5M8 21l-3-3 3-3' },
  loopOne: { stroke: 'M4 12V9a3 3 0 013-3h12M16 3l3 3-3 3M20 12v3a3 3 0 01-3 3H5M8 21l-3-3 3-3M11 10.5l1.5-1V15' },
  queueNext: { stroke: 'M4 6h16M4 12h9M4 18h9M16 11l5 4-5 4z' },
  queueLast: { stroke: 'M4 6h12M4 12h12M4 18h7M18 14v7M14.5 17.5h7' },
  heart: { stroke: 'M12 20s-7-4.4-9-8.6A4.8 4.8 0 0112 6.6a4.8 4.8 0 019 4.8C19 15.6 12 20 12 20z' },
  heartFull: { fill: 'M12 20s-7-4.4-9-8.6A4.8 4.8 0 0112 6.6a4.8 4.8 0 019 4.8C19 15.6 12 20 12 20z' },
} as const;

export type IconName = keyof typeof SHAPES;

export function Icon({ name, size = 20 }: { name: IconName; size?: number }) {
  const s: { fill?: string; stroke?: string } = SHAPES[name];
  return (
    <svg viewBox="0 0 24 24" width={size} height={size} aria-hidden="true" focusable="false">
      {s.fill && <path d={s.fill} fill="currentColor" />}
      {s.stroke && <path d={s.stroke} fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round" />}
    </svg>
  );
}
