// A web app on another origin calls Medley's API with fetch(), in Chromium: the preflights, a
// read, a create with a JSON body, an error body, the live notification stream read as a
// stream, and an origin that is not allowed.
//
// Environment: MEDLEY_URL (the server), MEDLEY_KEY and MEDLEY_TOKEN (the demo's credentials),
// PAGE_PORT (the port the page is served on: http://localhost:PORT is the allowed origin,
// http://127.0.0.1:PORT is not), SHOTS (a folder for the screenshot).
import http from 'node:http';
import path from 'node:path';
import { launch, check } from './browser.mjs';

const { MEDLEY_URL, MEDLEY_KEY, MEDLEY_TOKEN, PAGE_PORT, SHOTS } = process.env;

// What the page does, as a client developer's app would; it leaves its findings in
// window.results and on screen.
const app = `<!doctype html>
<meta charset="utf-8"><title>A web app on another origin</title>
<h1>Calling Medley from <span id="origin"></span></h1>
<pre id="out">running…</pre>
<script>
const api = ${JSON.stringify(MEDLEY_URL)};
const headers = {
  'authorization': 'Bearer ' + ${JSON.stringify(MEDLEY_TOKEN)},
  'x-api-key': ${JSON.stringify(MEDLEY_KEY)},
  'x-amzn-device-id': 'browser',
};
async function call(method, path, body, extra) {
  try {
    const res = await fetch(api + path, {
      method,
      headers: { ...headers, ...(body ? { 'content-type': 'application/json' } : {}), ...extra },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, requestId: res.headers.get('x-amzn-requestid'), body: await res.json() };
  } catch (e) {
    return { failed: String(e) };
  }
}
document.getElementById('origin').textContent = location.origin;
// The first server-sent event of the notification stream, read with fetch() (EventSource
// cannot send the headers).
async function firstNotice() {
  const res = await fetch(api + '/v1/playback/notifications', { headers });
  const reader = res.body.getReader();
  const text = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return { ended: true };
    buffer += text.decode(value, { stream: true });
    const block = buffer.split('\\n\\n').find((b) => b.includes('event: '));
    if (block) {
      reader.cancel();
      const field = (k) => (block.split('\\n').find((l) => l.startsWith(k + ': ')) || '').slice(k.length + 2);
      return { status: res.status, event: field('event'), id: field('id'), data: JSON.parse(field('data')) };
    }
  }
}
window.results = (async () => {
  const r = {};
  r.me = await call('GET', '/v1/me');
  const notice = firstNotice().catch((e) => ({ failed: String(e) }));
  await new Promise((ok) => setTimeout(ok, 300));
  r.session = await call('POST', '/v1/playback/sessions', {
    playParams: { id: 'mrn:1.0:catalog:track:asin:B084KVZP2G',
                  containerIds: ['mrn:1.0:catalog:album:asin:B084KYMDXT'] },
    limit: 3,
  });
  r.notice = await notice;
  r.denied = await call('GET', '/v1/me', null, { authorization: 'Bearer nope' });
  const line = (name, x) => x.failed ? name + ': ' + x.failed
    : name + ': ' + x.status + ' ' + JSON.stringify(x.body).slice(0, 90) + '…';
  document.getElementById('out').textContent =
    [line('GET /v1/me', r.me), line('POST /v1/playback/sessions', r.session),
     line('GET /v1/me, bad token', r.denied),
     'notification: ' + JSON.stringify(r.notice).slice(0, 90) + '…'].join('\\n');
  return r;
})();
</script>`;

const server = http.createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(app);
});
await new Promise((ok) => server.listen(Number(PAGE_PORT), '127.0.0.1', ok));

const browser = await launch();
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => check(false, 'the page runs', String(e)));
  await page.goto(`http://localhost:${PAGE_PORT}/`);
  const r = await page.evaluate(() => window.results);
  await page.screenshot({ path: path.join(SHOTS, 'cors-allowed-origin.png'), fullPage: true });
  check(r.me.status === 200 && typeof r.me.body.data === 'object', 'GET /v1/me answered', r.me);
  check(r.me.requestId && r.me.requestId.length === 36, 'x-amzn-requestid readable', r.me);
  check(r.session.status === 200 && r.session.body.data.entities.length === 3,
    'a session created with a JSON body', r.session);
  check(r.denied.status === 401 && r.denied.body.code, 'an error body readable', r.denied);
  check(r.notice.event === 'session.started'
    && r.notice.data.sessionId === r.session.body.data.entities[0].sessionId,
    'the notification stream tells the page of the session it started', r.notice);

  const other = await browser.newPage();
  await other.goto(`http://127.0.0.1:${PAGE_PORT}/`);
  const o = await other.evaluate(() => window.results);
  await other.screenshot({ path: path.join(SHOTS, 'cors-other-origin.png'), fullPage: true });
  check(o.me.failed && o.session.failed, 'an origin not allowed is refused by the browser', o);
  console.log('cors: every check passed');
} finally {
  await browser.close();
  server.close();
}
