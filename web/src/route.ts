// Where the player is: the part of the address after `#`, such as `#/album/B084KYMDXT`.
import { useEffect, useState } from 'preact/hooks';

export interface Route { view: string; id?: string; q?: string }

export function parse(hash: string): Route {
  const [path, search] = hash.replace(/^#/, '').split('?');
  const [, view = '', id] = (path || '/').split('/');
  const q = new URLSearchParams(search ?? '').get('q') ?? undefined;
  return { view: view || 'albums', id: id ? decodeURIComponent(id) : undefined, q };
}

export function href(view: string, id?: string): string {
  return id ? `#/${view}/${encodeURIComponent(id)}` : `#/${view}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parse(location.hash));
  useEffect(() => {
    const on = () => setRoute(parse(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}
