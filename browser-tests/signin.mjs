// Sign-in as a user meets it, in Chromium with JavaScript off: the authorization page on a
// phone, signing in and allowing, the redirect back to the app with code and state; the
// linked-apps page listing the app, and unlinking it; nothing opened in a pop-up, nothing
// loaded from elsewhere, no page wider than the phone.
//
// Environment: MEDLEY_URL (the server), CLIENT_ID (a public client whose redirect URI is
// MEDLEY_URL/callback), SHOTS (a folder for the screenshots).
import path from 'node:path';
import crypto from 'node:crypto';
import { launch, check } from './browser.mjs';

const { MEDLEY_URL, CLIENT_ID, SHOTS } = process.env;
const redirect = `${MEDLEY_URL}/callback`;
const verifier = crypto.randomBytes(32).toString('base64url');
const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');

const browser = await launch();
try {
  const phone = { width: 390, height: 844 };
  const context = await browser.newContext({
    viewport: phone, isMobile: true, hasTouch: true, javaScriptEnabled: false,
  });
  const page = await context.newPage();
  const elsewhere = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(MEDLEY_URL)) elsewhere.push(r.url());
  });
  let popups = 0;
  page.on('popup', () => { popups += 1; });
  const fits = async (what) => {
    const width = await page.locator('body').evaluate((b) => b.scrollWidth).catch(() => null);
    const box = await page.locator('form').first().boundingBox();
    check(box && box.x >= 0 && box.x + box.width <= phone.width,
      `${what} fits the phone's width`, box);
    if (width !== null) check(width <= phone.width, `${what} does not scroll sideways`, width);
  };

  const query = new URLSearchParams({
    response_type: 'code', client_id: CLIENT_ID, redirect_uri: redirect,
    scope: 'music::catalog music::playback', state: 'xyz-42',
    code_challenge: challenge, code_challenge_method: 'S256',
  });
  await page.goto(`${MEDLEY_URL}/ap/oa?${query}`);
  const text = await page.locator('body').innerText();
  check(text.includes('Browser Test App'), 'the page names the app asking', text);
  check(/play/i.test(text), 'the page says what the scopes allow', text);
  await fits('the sign-in page');
  await page.screenshot({ path: path.join(SHOTS, 'signin-phone.png'), fullPage: true });

  // A wrong password is refused on the page itself, with the form kept.
  await page.fill('#login', 'Demo Listener');
  await page.fill('#password', 'not the password');
  await page.click('button[value=allow]');
  const refused = await page.locator('body').innerText();
  check(page.url().startsWith(`${MEDLEY_URL}/ap/oa`), 'a wrong password stays on the page', page.url());
  check(/password/i.test(refused), 'and says so', refused);
  await page.screenshot({ path: path.join(SHOTS, 'signin-wrong-password.png'), fullPage: true });

  await page.fill('#login', 'Demo Listener');
  await page.fill('#password', 'medley-demo');
  await Promise.all([
    page.waitForURL((u) => u.toString().startsWith(redirect), { timeout: 10_000 }),
    page.click('button[value=allow]'),
  ]);
  const back = new URL(page.url());
  check(back.searchParams.get('state') === 'xyz-42', 'the app gets its state back', page.url());
  const code = back.searchParams.get('code');
  check(code && code.length > 20, 'and a code', page.url());

  // The app exchanges the code (PKCE, no secret) and the token works.
  const res = await fetch(`${MEDLEY_URL}/auth/o2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: redirect,
      client_id: CLIENT_ID, code_verifier: verifier,
    }),
  });
  const token = await res.json();
  check(res.status === 200 && token.access_token.startsWith('Atza|'), 'the code buys a token', token);

  // The linked-apps page: sign in, see the app, unlink it.
  await page.goto(`${MEDLEY_URL}/account`);
  await fits('the account sign-in page');
  await page.fill('#login', 'Demo Listener');
  await page.fill('#password', 'medley-demo');
  await page.click('button[type=submit]');
  const linked = await page.locator('body').innerText();
  check(linked.includes('Browser Test App'), 'the account page lists the app', linked);
  await fits('the account page');
  await page.screenshot({ path: path.join(SHOTS, 'account-phone.png'), fullPage: true });
  // The demo user runs the house: the admin page, and a user added there.
  await page.getByRole('link', { name: 'Run the house' }).click();
  await page.getByRole('heading', { name: 'Run the house' }).waitFor();
  await fits('the admin page');
  await page.fill('#new-name', 'Guest Listener');
  await page.fill('#new-password', 'guest-password');
  await page.selectOption('#new-tier', 'FREE');
  await page.getByRole('button', { name: 'Add the user' }).click();
  const house = await page.locator('body').innerText();
  check(house.includes('Guest Listener, FREE'), 'the admin page adds a user', house);
  await page.screenshot({ path: path.join(SHOTS, 'admin-phone.png'), fullPage: true });
  await page.getByRole('link', { name: 'Your account' }).click();
  await page.click('button[aria-label^="Unlink Browser Test App"]');
  const after = await page.locator('body').innerText();
  check(!after.includes("Browser Test App"), 'unlinking removes it', after);
  const me = await fetch(`${MEDLEY_URL}/v1/me`, {
    headers: { authorization: `Bearer ${token.access_token}`, 'x-api-key': CLIENT_ID },
  });
  check(me.status === 401, 'and its token stops working', me.status);

  // Code-based linking: a TV shows a code; the user types it on the phone and signs in.
  const pair = await (await fetch(`${MEDLEY_URL}/auth/o2/create/codepair`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      response_type: 'device_code', client_id: CLIENT_ID, scope: 'music::playback',
    }),
  })).json();
  check(pair.user_code && pair.verification_uri, 'a device gets a code to show', pair);
  await page.goto(pair.verification_uri);
  await fits('the code page');
  await page.screenshot({ path: path.join(SHOTS, 'code-phone.png'), fullPage: true });
  await page.fill('#user_code', pair.user_code.toLowerCase());
  await page.click('button[type=submit]');
  const device = await page.locator('body').innerText();
  check(device.includes('Browser Test App'), 'the code page names the device\'s app', device);
  await page.screenshot({ path: path.join(SHOTS, 'code-sign-in-phone.png'), fullPage: true });
  await page.fill('#login', 'Demo Listener');
  await page.fill('#password', 'medley-demo');
  await page.click('button[value=allow]');
  const linkedText = await page.locator('body').innerText();
  await page.screenshot({ path: path.join(SHOTS, 'code-done-phone.png'), fullPage: true });
  const poll = await fetch(`${MEDLEY_URL}/auth/o2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'device_code', device_code: pair.device_code, client_id: CLIENT_ID,
    }),
  });
  const tv = await poll.json();
  check(poll.status === 200 && tv.refresh_token.startsWith('Atzr|'),
    'the device\'s next poll gets its tokens', [linkedText, tv]);

  // The same page on a desktop.
  const desktop = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await desktop.goto(`${MEDLEY_URL}/ap/oa?${query}`);
  await desktop.screenshot({ path: path.join(SHOTS, 'signin-desktop.png'), fullPage: true });

  check(popups === 0, 'nothing opens in a pop-up', popups);
  check(elsewhere.length === 0, 'nothing is fetched from another origin', elsewhere);
  console.log('signin: every check passed');
} finally {
  await browser.close();
}
