// What every browser check shares: Debian's Chromium (never a downloaded browser), headless,
// and a check that fails the run with what it saw.
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';

export function launch() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox'],
    timeout: 30_000,
  });
}

export function check(ok, what, seen) {
  if (!ok) {
    console.error(`FAILED: ${what}; saw ${JSON.stringify(seen, null, 2)}`);
    process.exit(1);
  }
  console.log(`ok: ${what}`);
}

/// Signs in to the web player at `url` through Medley's sign-in page, as a user would.
export async function signIn(page, url, name, password) {
  await page.goto(`${url}/`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => u.pathname === '/ap/oa', { timeout: 10_000 });
  await page.fill('#login', name);
  await page.fill('#password', password);
  await page.click('button[value=allow]');
  await page.getByText(`Signed in as ${name}`).waitFor({ state: 'attached', timeout: 10_000 });
  check(new URL(page.url()).search === '', `${name} is signed in and the code is gone from the address bar`, page.url());
}
