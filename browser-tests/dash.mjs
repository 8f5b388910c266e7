// DASH from Medley in Chromium with the two DASH players client developers use, Shaka Player
// and dash.js (both from the npm registry): a clear stream and a Clear Key one (CENC segments,
// the licence fetched from `licenseUrl` with the bearer token and `licenseHeaders`), each
// playing past 2 s, then switched from one Opus representation to another mid-play.
//
// Environment: MEDLEY_URL (the server), MEDLEY_KEY and MEDLEY_TOKEN (the demo user's).
import { fileURLToPath } from 'node:url';
import { launch, check } from './browser.mjs';

const { MEDLEY_URL, MEDLEY_KEY, MEDLEY_TOKEN } = process.env;
// The packages' browser builds, as installed from the lockfile.
const installed = (p) => fileURLToPath(new URL(`node_modules/${p}`, import.meta.url));
const LIBRARIES = {
  shaka: installed('shaka-player/dist/shaka-player.compiled.js'),
  dashjs: installed('dashjs/dist/modern/umd/dash.all.min.js'),
};
const TRACK = 'B084KPC3Q7';

/// The first entity of a fresh session for a device that sends `drm`.
async function entity(drm) {
  const res = await fetch(`${MEDLEY_URL}/v1/playback/sessions`, {
    method: 'POST',
    headers: {
      'x-api-key': MEDLEY_KEY, authorization: `Bearer ${MEDLEY_TOKEN}`, 'x-amzn-device-id': `dash-test-${drm}`,
      'x-amzn-audio-drmtype': drm, 'content-type': 'application/json',
    },
    body: JSON.stringify({ playParams: { id: `mrn:1.0:catalog:track:asin:${TRACK}` } }),
  });
  const body = await res.json();
  check(res.status === 200, `a session for a ${drm} device`, body);
  return body.data.entities[0];
}

// Runs in the page: plays `info` with the library, past 2 s, then switches representation;
// what it saw.
async function inPage({ lib, info, auth }) {
  const audio = document.createElement('audio');
  audio.muted = true;
  document.body.append(audio);
  const errors = [];
  const wait = async (ok, ms) => {
    const end = Date.now() + ms;
    while (!ok() && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    return ok();
  };
  const licence = info.licenseUrl && { ...auth, ...info.licenseHeaders };
  let bandwidths, active, choose;
  if (lib === 'shaka') {
    shaka.polyfill.installAll();
    const player = new shaka.Player();
    await player.attach(audio);
    player.addEventListener('error', (e) => errors.push(`shaka ${e.detail.code}`));
    if (licence) {
      player.configure({ drm: { servers: { 'org.w3.clearkey': info.licenseUrl } } });
      player.getNetworkingEngine().registerRequestFilter((type, request) => {
        if (type === shaka.net.NetworkingEngine.RequestType.LICENSE) Object.assign(request.headers, licence);
      });
    }
    player.configure({ abr: { enabled: false } });
    try {
      await player.load(info.url);
    } catch (e) {
      return { errors: [`load: ${e.code} ${JSON.stringify(e.data).slice(0, 200)}`] };
    }
    bandwidths = () => player.getVariantTracks().map((t) => t.bandwidth);
    active = () => player.getVariantTracks().find((t) => t.active)?.bandwidth;
    choose = (bw) => player.selectVariantTrack(player.getVariantTracks().find((t) => t.bandwidth === bw), true);
  } else {
    const player = dashjs.MediaPlayer().create();
    player.on('error', (e) => errors.push(`dash.js ${JSON.stringify(e.error).slice(0, 200)}`));
    player.updateSettings({ streaming: { abr: { autoSwitchBitrate: { audio: false } } } });
    if (licence) {
      player.setProtectionData({ 'org.w3.clearkey': { serverURL: info.licenseUrl, httpRequestHeaders: licence } });
    }
    player.initialize(audio, info.url, false);
    await new Promise((r) => player.on('streamInitialized', r));
    const reps = () => player.getRepresentationsByType('audio');
    bandwidths = () => reps().map((r) => r.bandwidth);
    active = () => player.getCurrentRepresentationForType('audio')?.bandwidth;
    choose = (bw) => player.setRepresentationForTypeByIndex('audio', reps().findIndex((r) => r.bandwidth === bw), true);
  }
  await audio.play().catch((e) => errors.push(`play: ${e}`));
  const played = await wait(() => audio.currentTime > 2, 20_000);
  const before = { time: audio.currentTime, bandwidth: active() };
  const other = bandwidths().find((b) => b !== before.bandwidth);
  choose(other);
  const switched = await wait(() => active() === other && audio.currentTime > before.time + 2, 20_000);
  return { errors, played, before, other, switched, after: { time: audio.currentTime, bandwidth: active() }, all: bandwidths() };
}

const browser = await launch();
try {
  for (const drm of ['NONE', 'CLEARKEY']) {
    const e = await entity(drm);
    const info = e.track.playbackInformation;
    check(info.protocol === 'DASH' && info.url.includes('/manifest.mpd?'), `${drm}: the entity plays a DASH manifest`, info);
    check((drm === 'CLEARKEY') === !!info.licenseUrl, `${drm}: a licence URL only for Clear Key`, info);
    for (const lib of Object.keys(LIBRARIES)) {
      const page = await browser.newPage();
      const segments = new Set();
      const licences = [];
      page.on('request', (r) => {
        const m = r.url().match(/\/media\/dash\/[^/]+\/([a-z0-9]+)\/\d+\.m4s/);
        if (m) segments.add(m[1]);
      });
      page.on('response', (r) => {
        if (r.url() === info.licenseUrl && r.request().method() === 'POST') licences.push(r.status());
      });
      // A page of Medley's origin: same-origin requests, and a secure context for EME.
      await page.goto(`${MEDLEY_URL}/healthz`);
      await page.addScriptTag({ path: LIBRARIES[lib] });
      const auth = { authorization: `Bearer ${MEDLEY_TOKEN}`, 'x-api-key': MEDLEY_KEY };
      const seen = await page.evaluate(inPage, { lib, info, auth });
      const what = `${lib}, ${drm}`;
      check(seen.errors.length === 0, `${what}: no player errors`, seen);
      check(seen.played, `${what}: currentTime passes 2 s`, seen);
      check(seen.all.length === 3, `${what}: the three Opus representations are offered`, seen);
      check(seen.switched, `${what}: switched from ${seen.before.bandwidth} to ${seen.other} bit/s and plays on`, seen);
      check(segments.size >= 2, `${what}: segments of both representations were fetched`, [...segments]);
      if (drm === 'CLEARKEY') {
        check(licences.length > 0 && licences.every((s) => s === 200), `${what}: the licence came from Medley`, licences);
      }
      await page.close();
    }
  }
} finally {
  await browser.close();
}
console.log('dash: every check passed');
