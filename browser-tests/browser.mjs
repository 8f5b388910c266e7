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
