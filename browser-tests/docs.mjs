// The API reference page: /docs renders /openapi.json in Chromium, every operation listed,
// one opened with its parameters, and nothing loaded from anywhere but the server.
//
// Environment: MEDLEY_URL (the server), SHOTS (a folder for the screenshots).
import path from 'node:path';
import { launch, check } from './browser.mjs';

const { MEDLEY_URL, SHOTS } = process.env;

const browser = await launch();
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const elsewhere = [];
  page.on('request', (r) => {
    if (!r.url().startsWith(MEDLEY_URL) && !r.url().startsWith('data:')) elsewhere.push(r.url());
  });
  page.on('pageerror', (e) => check(false, 'the page runs', String(e)));
  await page.goto(`${MEDLEY_URL}/docs`);
  await page.waitForSelector('.opblock', { timeout: 20_000 });
  const doc = await (await fetch(`${MEDLEY_URL}/openapi.json`)).json();
  const operations = Object.values(doc.paths).reduce((n, item) => n + Object.keys(item).length, 0);
  const shown = await page.locator('.opblock').count();
  check(shown === operations, `every operation is listed (${shown} of ${operations})`, shown);
  const title = await page.locator('.info .title').innerText();
  check(title.startsWith('Medley'), 'the title is the document\'s', title);
  await page.screenshot({ path: path.join(SHOTS, 'docs-operations.png') });

  const op = page.locator('#operations-Player-player_recently_played');
  await op.locator('.opblock-summary').click();
  await op.locator('.parameters').waitFor({ timeout: 10_000 });
  const params = await op.locator('.parameters').innerText();
  check(params.includes('limit') && params.includes('cursor'), 'an operation shows its parameters', params);
  await op.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'docs-operation.png') });

  // A typed request body is shown from its schema, fields and all.
  const create = page.locator('#operations-Playback-playback_create');
  await create.locator('.opblock-summary').click();
  const body = create.locator('.opblock-section-request-body');
  await body.waitFor({ timeout: 10_000 });
  const example = await body.innerText();
  check(example.includes('playParams') && example.includes('containerIds'),
    'a request body is shown from its schema', example);
  await create.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, 'docs-request-body.png') });
  check(elsewhere.length === 0, 'nothing is fetched from another origin', elsewhere);
  console.log('docs: every check passed');
} finally {
  await browser.close();
}
