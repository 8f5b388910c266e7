// A large library in the web player: a 100,000-track playlist and 10,000 albums scroll while
// the page holds only the rows on screen, and reads the lists page by page (100 at a time) as
// far as the listener scrolls, never the whole list; opened at another address than the
// server's public URL, it signs in there.
//
// Environment: MEDLEY_URL, USER_NAME and USER_PASSWORD (a user of that library), PLAYLIST
// (the id of the 100,000-track playlist), SHOTS (a folder for the screenshots).
import path from 'node:path';
import { launch, check, signIn } from './browser.mjs';

const { MEDLEY_URL, USER_NAME, USER_PASSWORD, PLAYLIST, SHOTS } = process.env;
const MAX_ROWS = 80;

const browser = await launch();
try {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  page.on('pageerror', (e) => check(false, 'the page runs without errors', String(e)));
  const reads = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/v1/')) reads.push(u);
  });
  await signIn(page, MEDLEY_URL, USER_NAME, USER_PASSWORD);

  // 10,000 albums: a grid of covers, a few rows of it in the page.
  await page.locator('[data-album]').first().waitFor({ timeout: 10_000 });
  const albums = await page.locator('[data-album]').count();
  check(albums > 0 && albums <= 200, `the albums view holds only the covers on screen (${albums} of the first page)`, albums);

  await page.goto(`${MEDLEY_URL}/#/playlist/${PLAYLIST}`);
  await page.getByText('100,000 tracks', { exact: true }).waitFor({ timeout: 10_000 });
  const list = page.getByRole('list', { name: /^Tracks of / });
  await list.locator('[data-track]').first().waitFor({ timeout: 10_000 });
  const items = () => list.getAttribute('data-items').then(Number);
  const rows = () => list.locator('[data-track]').count();
  check(await rows() <= MAX_ROWS, `the playlist opens with only the rows on screen (${await rows()})`, await rows());

  // Scroll a long way down: more pages arrive, the rows in the page stay few.
  const started = Date.now();
  // (As far as the listener scrolls: the list grows only while the wheel keeps turning.)
  while ((await items()) < 2000) {
    check(Date.now() - started < 60_000, 'the playlist keeps up with the scrolling', await items());
    await page.mouse.wheel(0, 4000);
    await page.waitForTimeout(50);
  }
  const loaded = await items();
  const shown = await rows();
  check(shown <= MAX_ROWS, `after scrolling through ${loaded} tracks the page holds ${shown} rows`, { loaded, shown });
  const numbers = await list.locator('.number').allInnerTexts();
  check(Number(numbers[0]) > 1000, `the rows on screen are those far down the playlist (from #${numbers[0]})`, numbers.slice(0, 3));
  const pages = reads.filter((u) => u.pathname === `/v1/playlists/${PLAYLIST}/tracks`);
  check(pages.every((u) => Number(u.searchParams.get('limit')) <= 100),
    'every read asks for one page of at most 100', pages.map((u) => u.search));
  check(pages.length === Math.ceil(loaded / 100),
    `the playlist was read page by page: ${pages.length} reads for ${loaded} tracks in ${Date.now() - started} ms`, pages.length);
  check(new Set(pages.map((u) => u.searchParams.get('cursor'))).size === pages.length, 'no page was read twice', '');
  await page.screenshot({ path: path.join(SHOTS, 'player-playlist-100k-desktop.png') });

  // The user's own playlists beside the catalog's (one made by another app of theirs).
  const made = await page.evaluate(async () => {
    const t = JSON.parse(localStorage.getItem('medley.token'));
    const res = await fetch('/v1/playlists', {
      method: 'POST',
      headers: { authorization: `Bearer ${t.access}`, 'x-api-key': 'amzn1.application-oa2-client.medleyplayer', 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Road trip' }),
    });
    return { status: res.status, body: await res.json() };
  });
  check(made.status === 200 || made.status === 201, 'another app of the user makes a playlist', made);
  await page.goto(`${MEDLEY_URL}/#/playlists`);
  const own = page.getByRole('list', { name: 'Your playlists' });
  await own.getByText('Road trip').waitFor({ timeout: 5_000 });
  await page.getByRole('list', { name: 'Catalog playlists' }).locator(`[data-playlist="${PLAYLIST}"]`).waitFor();
  await page.screenshot({ path: path.join(SHOTS, 'player-playlists-desktop.png') });
  // Opened at another of the server's addresses than its public URL, the player signs in
  // there and stays there.
  const elsewhere = MEDLEY_URL.replace('//127.0.0.1:', '//localhost:');
  check(elsewhere !== MEDLEY_URL, 'the server has another address to open the player at', elsewhere);
  const other = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  await signIn(other, elsewhere, USER_NAME, USER_PASSWORD);
  check(new URL(other.url()).host === new URL(elsewhere).host, 'the player stays at that address', other.url());
  await other.screenshot({ path: path.join(SHOTS, 'player-signed-in-elsewhere.png') });
  // A new tab of the same browser is signed in already.
  const tab = await other.context().newPage();
  await tab.goto(`${elsewhere}/`);
  await tab.getByText(`Signed in as ${USER_NAME}`).waitFor({ state: 'attached', timeout: 10_000 });
  check(await tab.getByRole('button', { name: 'Sign in' }).count() === 0, 'a new tab shares the sign-in', tab.url());
  console.log('library: every check passed');
} finally {
  await browser.close();
}
