// Staying signed in, as people live with the web player: the access token (made to last 12 s
// for this test) runs out again and again in the middle of a song and is renewed each time
// without the music stopping; a second tab shares the sign-in; signing in again from the same
// browser keeps one link; signing out ends it.
//
// Environment: MEDLEY_URL (the server, started with a 12 s access token), SHOTS.
import path from 'node:path';
import { launch, check, signIn } from './browser.mjs';

const { MEDLEY_URL, SHOTS } = process.env;
const ALBUM = 'B084KYMDXT';
const NAME = 'Demo Listener';
const PASSWORD = 'medley-demo';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const stored = (page) => page.evaluate(() => JSON.parse(localStorage.getItem('medley.token') ?? 'null'));
const audio = (page) => page.evaluate(() => {
  const a = document.querySelector('audio');
  return { time: a.currentTime, paused: a.paused };
});
const refreshWith = async (token) => (await fetch(`${MEDLEY_URL}/auth/o2/token`, {
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams({
    grant_type: 'refresh_token', refresh_token: token, client_id: 'amzn1.application-oa2-client.medleyplayer',
  }),
})).status;

/// The web player's links on the account page.
async function playerLinks(context) {
  const page = await context.newPage();
  await page.goto(`${MEDLEY_URL}/account`);
  if (await page.locator('#login').count()) {
    await page.fill('#login', NAME);
    await page.fill('#password', PASSWORD);
    await page.click('button[type=submit]');
  }
  const items = await page.locator('li', { hasText: 'Medley web player' }).allInnerTexts();
  await page.close();
  return items;
}

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => check(false, 'the page runs without errors', String(e)));
  await signIn(page, MEDLEY_URL, NAME, PASSWORD);
  const first = await stored(page);
  check(first?.refresh?.startsWith('Atzr|') && first.lifetime === 12_000,
    'the player holds a refresh token and a 12 s access token', first);

  await page.goto(`${MEDLEY_URL}/#/album/${ALBUM}`);
  await page.getByRole('button', { name: 'Play The New Abnormal [Explicit]' }).click();
  let last = 0;
  const end = Date.now() + 15_000;
  while ((await audio(page)).time < 1) {
    if (Date.now() > end) check(false, 'the album plays', await audio(page));
    await sleep(100);
  }

  // Three lifetimes of the token: the music never stops, the page never signs out, and the
  // tokens turn over before they run out.
  const accesses = new Set([first.access]);
  const refreshes = new Set([first.refresh]);
  const until = Date.now() + 36_000;
  let replacedAt;
  while (Date.now() < until) {
    const a = await audio(page);
    if (a.paused || a.time < last || new URL(page.url()).pathname !== '/') {
      check(false, 'the music plays on through every renewal', { ...a, last, url: page.url() });
    }
    last = a.time;
    const t = await stored(page);
    // A renewal under way on a busy machine may finish a moment after the old token ends;
    // calls made meanwhile are renewed and retried by the page.
    if (!(t && t.expires > Date.now() - 3_000)) check(false, 'the stored token is kept up to date', t);
    accesses.add(t.access);
    refreshes.add(t.refresh);
    replacedAt ??= refreshes.size > 1 ? Date.now() : undefined;
    await sleep(500);
  }
  check(last > 30, 'the song played on for the whole time', last);
  check(accesses.size >= 3 && refreshes.size === accesses.size,
    'the token was renewed each time before it ran out, with a new refresh token each time',
    { accesses: accesses.size, refreshes: refreshes.size });
  // Past the server's grace for a retried refresh (30 s), a replaced token is a stolen one.
  await sleep(Math.max(0, replacedAt + 31_000 - Date.now()));
  check(await refreshWith(first.refresh) === 400, 'the first refresh token, long replaced, is refused', first.refresh);
  // That ended the link (a replaced token coming back is taken for stolen); the page finds out
  // on its next renewal and asks for a sign-in again, which brings the music back under control.
  await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 20_000 });
  check((await playerLinks(context)).length === 0, 'the link is gone from the account page', null);
  await signIn(page, MEDLEY_URL, NAME, PASSWORD);

  // A second tab of the same browser is signed in already, and the two share one token.
  const tab = await context.newPage();
  tab.on('pageerror', (e) => check(false, 'the second tab runs without errors', String(e)));
  await tab.goto(`${MEDLEY_URL}/`);
  await tab.getByText(`Signed in as ${NAME}`).waitFor({ state: 'attached', timeout: 10_000 });
  await sleep(14_000);
  const [mine, theirs] = [await stored(page), await stored(tab)];
  check(mine.access === theirs.access && mine.expires > Date.now(), 'both tabs renew one sign-in together', { mine, theirs });
  await tab.close();

  // Signing in again from this browser (its token forgotten) replaces its link.
  await page.evaluate(() => localStorage.removeItem('medley.token'));
  await signIn(page, MEDLEY_URL, NAME, PASSWORD);
  const links = await playerLinks(context);
  check(links.length === 1 && links[0].includes('Chrome on Linux'),
    'the account page shows one link of this browser, named after it', links);
  await page.screenshot({ path: path.join(SHOTS, 'signed-in-desktop.png') });

  // Signing out ends the link.
  const before = await stored(page);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 10_000 });
  check(await refreshWith(before.refresh) === 400, 'after signing out the refresh token is refused', null);
  check((await playerLinks(context)).length === 0, 'and the account page shows no link of the player', null);
} finally {
  await browser.close();
}
