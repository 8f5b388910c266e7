// The web player in Chromium, as a user meets it: the welcome page, sign-in through Medley's
// OAuth page with PKCE, back to the player signed in; then a session started elsewhere (by
// this script, as another device would) shows on the page without a reload, through the
// notification stream. Screenshots on a phone and a desktop.
//
// Environment: MEDLEY_URL (the server, the player's origin), MEDLEY_KEY and MEDLEY_TOKEN (the
// demo's credentials, for the other device), SHOTS (a folder for the screenshots).
import path from 'node:path';
import { launch, check } from './browser.mjs';

const { MEDLEY_URL, MEDLEY_KEY, MEDLEY_TOKEN, SHOTS } = process.env;

const browser = await launch();
try {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
  const page = await context.newPage();
  const elsewhere = [];
  page.on('request', (r) => { if (!r.url().startsWith(MEDLEY_URL)) elsewhere.push(r.url()); });
  page.on('pageerror', (e) => check(false, 'the page runs', String(e)));

  await page.goto(`${MEDLEY_URL}/`);
  await page.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 10_000 });
  await page.screenshot({ path: path.join(SHOTS, 'player-welcome-phone.png'), fullPage: true });
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/ap/oa', { timeout: 10_000 });
  await page.fill('#login', 'Demo Listener');
  await page.fill('#password', 'medley-demo');
  await page.click('button[value=allow]');
  await page.getByText('Signed in as Demo Listener').waitFor({ timeout: 10_000 });
  check(new URL(page.url()).search === '', 'the code is gone from the address bar', page.url());
  await page.getByRole('heading', { name: 'Your devices' }).waitFor();

  // Another device starts playing: the page hears it and shows it, no reload.
  const headers = {
    'x-api-key': MEDLEY_KEY, authorization: `Bearer ${MEDLEY_TOKEN}`,
    'x-amzn-device-id': 'kitchen-speaker', 'content-type': 'application/json',
  };
  const res = await fetch(`${MEDLEY_URL}/v1/playback/sessions`, {
    method: 'POST', headers,
    body: JSON.stringify({ playParams: { id: 'mrn:1.0:catalog:track:asin:B084KVZP2G',
      containerIds: ['mrn:1.0:catalog:album:asin:B084KYMDXT'] }, limit: 1 }),
  });
  const session = (await res.json()).data.entities[0];
  const started = Date.now();
  const ev = await fetch(`${MEDLEY_URL}/v1/playback/event`, {
    method: 'POST', headers,
    body: JSON.stringify({ metricId: session.metricId, event: {
      type: 'start', clientTimestampInMilliseconds: Date.now(), initialPlaybackDelayMilliseconds: 5,
      deviceTimezone: '+00:00', playbackCurrentSpeed: 1.0, playbackStartAbsoluteOffsetMilliseconds: 0 } }),
  });
  check(ev.status === 201, 'the other device reports playing', ev.status);
  // It shows as soon as the session starts, and as playing once the start event is in.
  const item = page.locator(`[data-session="${session.sessionId}"]`, { hasText: 'playing' });
  await item.waitFor({ timeout: 2_000 });
  const seen = Date.now() - started;
  const text = await item.innerText();
  check(/The Adults Are Talking/.test(text) && /playing/.test(text),
    `the page shows the other device's music within 2 s (${seen} ms)`, text);
  await page.screenshot({ path: path.join(SHOTS, 'player-devices-phone.png'), fullPage: true });

  const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await desktop.goto(`${MEDLEY_URL}/`);
  await desktop.screenshot({ path: path.join(SHOTS, 'player-welcome-desktop.png'), fullPage: true });
  check(elsewhere.length === 0, 'nothing is fetched from another origin', elsewhere);
  console.log('player: every check passed');
} finally {
  await browser.close();
}
