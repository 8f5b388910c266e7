// The web player in Chromium, as its users meet it: sign in through Medley's OAuth page with
// PKCE, search, open an album and play it (real decoding of the served audio, and the start
// event in recently played); next, previous, shuffle and loop against what the API reports; a
// second browser of the same user taking the music over, then Alexa moving the queue; a
// Free-tier user running out of skips. Screenshots of each page on a desktop and a phone.
// With ART_ALBUM (a scanned album with a cover image and a CD-quality file), its cover shows,
// and the Free-tier user hears it as Opus, decoded by the browser. With DASH (the server has
// ffmpeg), the page plays DASH manifests through Shaka Player; without, the files themselves.
//
// Environment: MEDLEY_URL (the server, the player's origin), MEDLEY_KEY and MEDLEY_TOKEN (the
// demo user's credentials, to read what the API reports), FREE_NAME and FREE_PASSWORD (a
// Free-tier user), SHOTS (a folder for the screenshots).
import path from 'node:path';
import { launch, check, signIn as signInAt } from './browser.mjs';

const { MEDLEY_URL, MEDLEY_KEY, MEDLEY_TOKEN, FREE_NAME, FREE_PASSWORD, ART_ALBUM, DASH, SHOTS } = process.env;
const ALBUM = 'B084KYMDXT';
const FIRST = 'B084KVZP2G';
const SECOND = 'B084KPC3Q7';
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

const api = async (method, p, body) => {
  const res = await fetch(`${MEDLEY_URL}${p}`, {
    method,
    headers: { 'x-api-key': MEDLEY_KEY, authorization: `Bearer ${MEDLEY_TOKEN}`, 'x-amzn-device-id': 'browser-test',
      'content-type': 'application/json' },
    body: body && JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
};
const shot = (page, name) => page.screenshot({ path: path.join(SHOTS, `player-${name}.png`), fullPage: false });
const until = async (what, probe, ms = 5_000) => {
  const end = Date.now() + ms;
  let seen;
  while (Date.now() < end) {
    seen = await probe();
    if (seen.ok) return seen;
    await new Promise((r) => setTimeout(r, 100));
  }
  check(false, what, seen);
};
const audio = (page) => page.evaluate(() => {
  const a = document.querySelector('audio');
  // The URL the page put in it: a DASH manifest's (played through Shaka) or a file's.
  return { time: a.currentTime, paused: a.paused, src: a.dataset.source ?? a.currentSrc };
});

const signIn = (page, name, password) => signInAt(page, MEDLEY_URL, name, password);

/// The session the page plays, as the API reports it.
async function pageSession(page) {
  const device = await page.evaluate(() => localStorage.getItem('medley.device'));
  const { body } = await api('GET', '/v1/playback/sessions/active');
  return body.data.sessions.find((s) => s.deviceId === device);
}
const current = async (sid) => (await api('GET', `/v1/playback/sessions/${sid}/current`)).body.data;

const browser = await launch();
try {
  const elsewhere = [];
  // The DASH representations the pages fetched segments of.
  const segments = [];
  const watch = (page) => {
    page.on('request', (r) => { if (!r.url().startsWith(MEDLEY_URL)) elsewhere.push(r.url()); });
    page.on('request', (r) => {
      const m = r.url().match(/\/media\/dash\/[^/]+\/([a-z0-9]+)\/(?:init\.mp4|\d+\.m4s)/);
      if (m && !segments.includes(m[1])) segments.push(m[1]);
    });
    page.on('pageerror', (e) => check(false, 'the page runs without errors', String(e)));
    // TRACE=1 prints what the page asks of the Playback API.
    if (process.env.TRACE) {
      page.on('console', (m) => console.log('console:', m.text().slice(0, 300)));
      page.on('request', (r) => { if (r.url().includes('/v1/playback/')) console.log('>', r.method(), r.url().slice(MEDLEY_URL.length), (r.postData() ?? '').slice(-120)); });
      page.on('response', (r) => { if (r.url().includes('/v1/playback/')) console.log('<', r.status(), r.url().slice(MEDLEY_URL.length)); });
    }
  };
  const first = await (await browser.newContext(DESKTOP)).newPage();
  watch(first);
  await first.goto(`${MEDLEY_URL}/`);
  await first.getByRole('button', { name: 'Sign in' }).waitFor({ timeout: 10_000 });
  await shot(first, 'welcome-desktop');
  await signIn(first, 'Demo Listener', 'medley-demo');
  await first.locator('[data-album]').first().waitFor({ timeout: 5_000 });
  // (A scanned cover is resized on its first request: wait for every picture to arrive.)
  await first.waitForFunction(() => [...document.querySelectorAll('[data-album] img')].every((i) => i.complete),
    null, { timeout: 10_000 });
  const covers = await first.locator('[data-album] img').evaluateAll((imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0));
  check(covers.length > 0 && covers.every(Boolean), 'the albums show with their cover art', covers);
  if (ART_ALBUM) {
    const art = first.locator('[data-album]', { hasText: ART_ALBUM }).locator('img');
    await art.waitFor();
    const img = await art.evaluate((i) => ({ src: i.getAttribute('src'), width: i.naturalWidth }));
    check(img.width > 0 && img.src.startsWith('/media/images/') && !img.src.startsWith('/media/images/medley'),
      `${ART_ALBUM} shows its own cover, served by Medley`, img);
  } else {
    console.log('skipped: the scanned cover art and Opus checks (no ART_ALBUM)');
  }
  await shot(first, 'albums-desktop');

  // Search as you type, open the album, play it.
  await first.getByRole('link', { name: 'Search' }).click();
  await first.getByRole('searchbox', { name: 'Search the library' }).pressSequentially('new abnorm', { delay: 30 });
  await first.locator(`[data-album="${ALBUM}"]`).waitFor({ timeout: 5_000 });
  await shot(first, 'search-desktop');
  await first.locator(`[data-album="${ALBUM}"]`).click();
  await first.getByRole('heading', { name: 'The New Abnormal [Explicit]' }).waitFor();
  await first.locator(`[data-track="${FIRST}"]`).waitFor();
  await shot(first, 'album-desktop');
  await first.getByRole('button', { name: 'Play The New Abnormal [Explicit]' }).click();
  const played = await until('the audio plays past 2 s', async () => {
    const a = await audio(first);
    return { ok: a.time > 2 && !a.paused, ...a };
  }, 15_000);
  if (DASH) {
    check(played.src.includes('/manifest.mpd?') && played.src.includes('sig=') && played.src.includes('as=dash-hires'),
      'it plays the signed DASH manifest, up to Ultra HD', played.src);
    check(segments.some((s) => s.startsWith('opus')), 'through its Opus segments (the demo songs are below CD quality)', segments);
  } else {
    check(played.src.includes('/media/tracks/') && played.src.includes('sig=') && played.src.includes('as=original'),
      'it plays the signed media URL, the original at Ultra HD', played.src);
  }
  await first.locator(`[data-now="${FIRST}"]`).waitFor();
  await shot(first, 'playing-desktop');
  await until('the start event shows in recently played', async () => {
    const { body } = await api('GET', '/v1/player/recentlyPlayed');
    const ids = body.data.user.recentTrackPlayback.edges.map((e) => e.node.id);
    return { ok: ids.includes(FIRST), ids };
  });
  await first.getByRole('link', { name: 'Recently played' }).click();
  await first.locator(`[role=list][aria-label="Recently played"] [data-track="${FIRST}"]`).first().waitFor({ timeout: 5_000 });

  // Likes and follows, as the API reports them.
  await first.goto(`${MEDLEY_URL}/#/album/${ALBUM}`);
  await first.getByRole('button', { name: 'Add Selfless to your library' }).click();
  await first.getByRole('button', { name: 'Remove Selfless from your library' }).waitFor();
  const liked = await api('GET', `/v1/me/library/tracks?trackIds=${SECOND}`);
  check(liked.body.data.user.libraryTracks.edges.some((e) => e.node.id === SECOND), 'a like puts the track in the library', liked.body);
  await first.getByRole('link', { name: 'The Strokes' }).first().click();
  await first.getByRole('button', { name: 'Follow The Strokes' }).click();
  await first.getByRole('button', { name: 'Unfollow The Strokes' }).waitFor();
  const followed = await api('GET', '/v1/me/followed/artists?artistIds=B00G70DLAS');
  check(followed.body.data.user.followedArtists.edges.length === 1, 'follow follows the artist', followed.body);
  await shot(first, 'artist-desktop');

  // Next, previous, shuffle and loop change what the API reports.
  const session = await pageSession(first);
  check(session, 'the API lists the page as one of the devices', session);
  const sid = session.sessionId;
  const playsNow = async (track, what) => {
    await first.locator(`[data-now="${track}"]`).waitFor({ timeout: 5_000 });
    await until(what, async () => {
      const d = await current(sid);
      return { ok: d.entities[0].track.id === track && d.metadata.playbackState === 'PLAYING', id: d.entities[0].track.id, state: d.metadata.playbackState };
    });
  };
  await first.getByRole('button', { name: 'Next', exact: true }).click();
  await playsNow(SECOND, 'next: the API reports the second track playing');
  await first.getByRole('button', { name: 'Previous' }).click();
  await playsNow(FIRST, 'previous: the API reports the first track playing again');
  await first.getByRole('button', { name: 'Shuffle', exact: true }).click();
  await until('shuffle: the API reports the queue shuffled', async () => {
    const m = (await current(sid)).metadata;
    return { ok: m.shuffleMode === 'SHUFFLE_ON', m };
  });
  await first.getByRole('button', { name: /^Loop/ }).click();
  await until('loop: the API reports LOOP_ALL', async () => ({ ok: (await current(sid)).metadata.loopMode === 'LOOP_ALL' }));
  await first.getByRole('button', { name: /^Loop/ }).click();
  await until('loop again: the API reports LOOP_ONE', async () => ({ ok: (await current(sid)).metadata.loopMode === 'LOOP_ONE' }));
  await first.locator('[data-loop="LOOP_ONE"]').waitFor();
  await first.getByRole('button', { name: /^Loop/ }).click();
  await until('and once more: the API reports LOOP_OFF', async () => ({ ok: (await current(sid)).metadata.loopMode === 'LOOP_OFF' }));
  // Keyboard: space pauses (away from any button, which space would press), and the stop
  // event reaches the API.
  const blur = (page) => page.evaluate(() => document.activeElement?.blur());
  await blur(first);
  await first.keyboard.press('Space');
  await until('space pauses, and the API reports the stop', async () => {
    const a = await audio(first);
    return { ok: a.paused && (await current(sid)).metadata.playbackState === 'PAUSED', a };
  });
  await first.keyboard.press('Space');
  await until('space plays on', async () => ({ ok: !(await audio(first)).paused && (await current(sid)).metadata.playbackState === 'PLAYING' }));
  // Seeking (→ is 10 s on): a trackScrub stop, then a start at the new offset.
  const from = (await audio(first)).time;
  await first.keyboard.press('ArrowRight');
  await until('→ seeks 10 s on and plays on from there', async () => {
    const a = await audio(first);
    return { ok: !a.paused && a.time >= from + 9.5, from, ...a };
  });
  await until('the API reports it playing after the seek', async () => ({ ok: (await current(sid)).metadata.playbackState === 'PLAYING' }));
  // Another app changes the modes: the page shows it without a reload.
  const changedAt = Date.now();
  const off = await api('PUT', `/v1/playback/sessions/${sid}/shuffle`, { shuffleMode: 'SHUFFLE_OFF' });
  check(off.status === 200, 'another app turns shuffle off', off.body);
  await first.locator('button[aria-label="Shuffle"][aria-pressed="false"]').waitFor({ timeout: 2_000 });
  check(true, `the page shows the change made elsewhere (${Date.now() - changedAt} ms)`, '');
  // Queue view, with a track put next from the album page.
  await first.getByRole('link', { name: 'Albums' }).click();
  await first.locator('[data-album="DEMOAL0004"]').click();
  const extra = first.locator('[data-track]').first();
  const extraId = await extra.getAttribute('data-track');
  await extra.getByRole('button', { name: /next$/ }).click();
  await extra.getByText('Plays next').waitFor();
  const last = first.locator('[data-track]').nth(1);
  const lastId = await last.getAttribute('data-track');
  await last.getByRole('button', { name: /to the queue$/ }).click();
  await last.getByText('Added to the queue').waitFor();
  await first.getByRole('link', { name: 'Queue', exact: true }).first().click();
  await first.locator(`ol[aria-label="Playing and up next"] li[data-track="${extraId}"]`).waitFor({ timeout: 5_000 });
  const queue = await api('GET', `/v1/playback/sessions/${sid}/next?limit=1`);
  check(queue.body.data.entities[0].track.id === extraId, 'play next puts the track next in the API\'s queue', queue.body.data.entities[0].track.id);
  const ahead = await api('GET', `/v1/playback/sessions/${sid}/next?limit=10`);
  const order = ahead.body.data.entities.map((e) => e.track.id);
  check(order.at(-1) === lastId && !ahead.body.data.pageInfo.hasNextPage, 'add to queue puts the track after the album', order);
  await shot(first, 'queue-desktop');

  // A reload: the page said it stopped as it went, and comes back showing what it played.
  const { time: before } = await until('it has played a few seconds', async () => {
    const a = await audio(first);
    return { ok: a.time > 3.2, ...a };
  }, 10_000);
  await first.reload();
  await until('the page that went away reported its stop', async () => ({ ok: (await current(sid)).metadata.playbackState === 'PAUSED' }));
  const back = (await current(sid)).entities[0].track.id;
  await first.locator(`[data-now="${back}"]`).waitFor({ timeout: 5_000 });
  await first.getByRole('button', { name: 'Play', exact: true }).click();
  const resumed = await until('play after the reload goes on from where it stopped', async () => {
    const a = await audio(first);
    return { ok: !a.paused && a.time >= 3, before, ...a };
  }, 10_000);
  await until('and the API reports it playing', async () => ({ ok: (await current(sid)).metadata.playbackState === 'PLAYING' }));
  check(resumed.time < before + 5, `it resumed near ${before.toFixed(1)} s (at ${resumed.time.toFixed(1)} s)`, resumed);

  // A second browser of the same user takes the music over: the first stops within 2 s.
  const second = await (await browser.newContext(PHONE)).newPage();
  watch(second);
  await signIn(second, 'Demo Listener', 'medley-demo');
  await shot(second, 'albums-phone');
  await second.getByRole('link', { name: 'Devices' }).click();
  const there = second.locator(`[data-session="${sid}"]`);
  await there.waitFor({ timeout: 5_000 });
  await shot(second, 'devices-phone');
  // The quality picked asks for standard audio; the demo's songs are standard already
  // (8 kHz), so they play as they are at every quality (the format tests cover the renditions).
  await second.getByLabel('Audio quality').selectOption({ label: 'Standard' });
  const asked = second.waitForRequest((r) => r.url().includes(`/v1/playback/sessions/${sid}/entities/`));
  await there.getByRole('button', { name: /here$/ }).click();
  const capability = (await asked).headers()['x-amzn-audio-device-capability'];
  check(capability === 'STD_RES', 'the take-over asks for the quality picked in Devices', capability);
  const tookAt = Date.now();
  await first.getByText('Now playing on another web browser').waitFor({ timeout: 2_000 });
  const stoppedIn = Date.now() - tookAt;
  check((await audio(first)).paused, `the first browser stops and says where the music went (${stoppedIn} ms)`, stoppedIn);
  const taken = await until('the second browser plays on', async () => {
    const a = await audio(second);
    return { ok: !a.paused && a.time > before, ...a };
  }, 15_000);
  check(true, `it picked the music up where it was (${taken.time.toFixed(1)} s)`, taken);
  await shot(first, 'taken-over-desktop');

  // Alexa moves the same queue: the page that played stops and follows.
  const cur = await current(sid);
  const alexa = await fetch(`${MEDLEY_URL}/alexa`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      header: { namespace: 'Alexa.Audio.PlayQueue', name: 'GetNextItem', messageId: 'browser-test-0001', payloadVersion: '1.0' },
      payload: {
        requestContext: { user: { id: 'amzn1.ask.account.BROWSERTEST', accessToken: MEDLEY_TOKEN }, location: { originatingLocale: 'en-US' } },
        currentItemReference: { id: cur.entities[0].entityReferenceId, queueId: sid, contentId: 'browser-test' },
        isUserInitiated: true,
      },
    }),
  });
  const moved = await alexa.json();
  check(moved.header?.name === 'GetNextItem.Response' && moved.payload?.item, 'Alexa moves the queue', moved);
  const now = (await current(sid)).entities[0].track.id;
  const movedAt = Date.now();
  await second.locator(`[data-now="${now}"]`).waitFor({ timeout: 2_000 });
  await second.getByText('Now playing on Alexa').waitFor({ timeout: 2_000 });
  check((await audio(second)).paused, `the page follows Alexa's move and stops (${Date.now() - movedAt} ms)`, now);
  await shot(second, 'alexa-phone');

  // A Free-tier user: six skips an hour, then the page says there are none left.
  const free = await (await browser.newContext(DESKTOP)).newPage();
  watch(free);
  await signIn(free, FREE_NAME, FREE_PASSWORD);
  if (ART_ALBUM) {
    await free.getByRole('link', { name: ART_ALBUM }).first().click();
    await free.getByRole('button', { name: `Play ${ART_ALBUM}` }).click();
    const opus = await until('the Free tier plays a CD-quality file as Opus, which the browser decodes', async () => {
      const a = await audio(free);
      return { ok: a.time > 2 && a.src.includes('as=dash-std'), ...a };
    }, 20_000);
    check(true, `Opus plays: ${opus.time.toFixed(1)} s`, opus);
  }
  await free.goto(`${MEDLEY_URL}/#/album/${ALBUM}`);
  await free.getByRole('button', { name: 'Play The New Abnormal [Explicit]' }).click();
  await until('the Free-tier user plays', async () => ({ ok: (await audio(free)).time > 1 }), 15_000);
  check(await free.getByRole('button', { name: 'Previous' }).isDisabled(), 'a Free-tier user has no previous', '');
  check(await free.getByRole('button', { name: 'Shuffle', exact: true }).isDisabled(), 'nor shuffle', '');
  for (let left = 6; left > 0; left--) {
    await free.getByText(`${left} skips left this hour`).waitFor({ timeout: 5_000 });
    const playing = await free.locator('[data-now]').getAttribute('data-now');
    await free.getByRole('button', { name: 'Next', exact: true }).click();
    // Another track shown, and sounding (its time moves): not merely asked to play, which a
    // loaded machine can take seconds to do.
    await until(`skip ${7 - left} plays another track`, async () => {
      const a = await audio(free);
      const n = await free.locator('[data-now]').getAttribute('data-now');
      return { ok: n !== playing && !a.paused && a.time > 0, n, playing, a };
    }, 30_000);
  }
  await free.getByText('No skips left this hour').first().waitFor({ timeout: 5_000 });
  check(await free.getByRole('button', { name: 'Next', exact: true }).isDisabled(), 'Next is disabled once the skips are used', '');
  await blur(free);
  await free.keyboard.press('Shift+ArrowRight');
  await free.getByText('You have used all your skips for this hour.').waitFor({ timeout: 2_000 });
  await free.getByRole('link', { name: 'Queue', exact: true }).first().click();
  await free.getByText('Your plan does not show the queue.').waitFor();
  await shot(free, 'free-no-skips-desktop');

  check(elsewhere.length === 0, 'nothing is fetched from another origin', elsewhere);
  console.log('player: every check passed');
} finally {
  await browser.close();
}
