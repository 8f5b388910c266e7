// Signing in through Medley's own OAuth authorization code flow with PKCE, as a public client
// (no secret), and staying signed in: the access token is renewed with the refresh token before
// it runs out. The tokens are kept in localStorage, so every tab of the browser shares one
// sign-in; a sign-in under way stays in its own tab (sessionStorage).

/// The player's client id: `medley serve` registers it; the sign-in page sends it back to this
/// page at whichever address of the server it was opened.
export const CLIENT_ID = 'amzn1.application-oa2-client.medleyplayer';
const SCOPES = [
  'music::catalog', 'music::playback', 'music::history', 'music::library',
  'music::favorites', 'music::profile',
];
const TOKEN = 'medley.token';
const PENDING = 'medley.signin';

export interface Token {
  access: string;
  /// Replaced by the server on every use: only the latest one works.
  refresh: string | null;
  expires: number;
  /// How long the access token lasts, in milliseconds.
  lifetime: number;
}

function redirectUri(): string {
  return `${location.origin}/`;
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/// The sign-in, if there is one: a refresh token, or an access token that still lasts.
export function token(): Token | null {
  const t = JSON.parse(localStorage.getItem(TOKEN) ?? 'null') as Token | null;
  return t && (t.refresh || t.expires > Date.now()) ? t : null;
}

/// Forgets the sign-in in this browser, every tab of it.
export function forget(): void {
  localStorage.removeItem(TOKEN);
}

/// Signs out: the server ends this browser's link, then the sign-in is forgotten.
export async function signOut(): Promise<void> {
  const t = token();
  if (t?.refresh) {
    await fetch('/auth/o2/revoke', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: t.refresh, client_id: CLIENT_ID }),
      keepalive: true,
    }).catch(() => undefined);
  }
  forget();
}

/// Renewal starts when a third of the token's life, at most a minute, is left.
function dueForRenewal(t: Token): boolean {
  return t.expires - Date.now() < Math.min(60_000, t.lifetime / 3);
}

function fromAnswer(body: { access_token: string; refresh_token?: string; expires_in: number }): Token {
  return {
    access: body.access_token,
    refresh: body.refresh_token ?? null,
    expires: Date.now() + body.expires_in * 1000,
    lifetime: body.expires_in * 1000,
  };
}

/// Exchanges the refresh token for new tokens. The server replaces the refresh token on every
/// use and ends the link if a replaced one comes back, so tabs take turns (a Web Lock) and a
/// tab that waited uses what the one before it got. A refusal ends the sign-in; a network
/// failure keeps the old token while it lasts (the server honours a retry for a while).
async function renew(force: boolean): Promise<Token | null> {
  const work = async (): Promise<Token | null> => {
    const t = token();
    if (!t) return null;
    if (!force && !dueForRenewal(t)) return t;
    if (!t.refresh) return t.expires > Date.now() ? t : null;
    let res: Response;
    try {
      res = await fetch('/auth/o2/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: t.refresh, client_id: CLIENT_ID }),
      });
    } catch {
      return t.expires > Date.now() ? t : null;
    }
    if (res.status >= 500 || res.status === 429) return t.expires > Date.now() ? t : null;
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      forget();
      return null;
    }
    const next = fromAnswer(body);
    localStorage.setItem(TOKEN, JSON.stringify(next));
    return next;
  };
  const seen = token()?.access;
  if (!navigator.locks) return work();
  return navigator.locks.request('medley.token', async () => {
    // Another tab renewed while this one waited: its token is the one to use.
    const now = token();
    if (force && now && now.access !== seen && !dueForRenewal(now)) return now;
    return work();
  });
}

/// The access token to call with, renewed first when it is due; null once signed out.
export async function accessToken(): Promise<string | null> {
  const t = token();
  if (!t) return null;
  return dueForRenewal(t) ? (await renew(false))?.access ?? null : t.access;
}

/// After a 401: renews unless another tab already did; the new access token, or null when the
/// sign-in is over.
export async function renewAfterRefusal(): Promise<string | null> {
  return (await renew(true))?.access ?? null;
}

/// Keeps the token renewed ahead of time, so that a call made as the page goes away (a stop
/// event) still carries a good one. Timers of background tabs may run late: every call renews
/// what is due as well.
export function keepRenewed(): () => void {
  let timer: ReturnType<typeof setTimeout>;
  const plan = () => {
    const t = token();
    if (!t) return;
    const due = t.expires - Math.min(60_000, t.lifetime / 3) - Date.now();
    timer = setTimeout(async () => {
      await renew(false);
      // The server ended the link (unlinked on the account page, or a replaced token used):
      // the sign-in page.
      if (!token()) location.reload();
      plan();
    }, Math.max(due, 5_000));
  };
  plan();
  return () => clearTimeout(timer);
}

/// Sends the browser to the sign-in page; it comes back to this page with a code.
export async function signIn(): Promise<void> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  sessionStorage.setItem(PENDING, JSON.stringify({ verifier, state }));
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(),
    scope: SCOPES.join(' '),
    state,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: 'S256',
  });
  location.assign(`/ap/oa?${q}`);
}

/// Finishes a sign-in this page started, if the URL carries its answer; the URL is cleaned.
export async function completeSignIn(): Promise<string | null> {
  const q = new URLSearchParams(location.search);
  if (!q.has('code') && !q.has('error')) return null;
  history.replaceState(null, '', '/');
  const pending = JSON.parse(sessionStorage.getItem(PENDING) ?? 'null');
  sessionStorage.removeItem(PENDING);
  if (q.has('error')) return q.get('error_description') ?? q.get('error');
  if (!pending || q.get('state') !== pending.state) return 'the sign-in did not start here';
  const res = await fetch('/auth/o2/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: q.get('code') ?? '',
      redirect_uri: redirectUri(),
      client_id: CLIENT_ID,
      code_verifier: pending.verifier,
    }),
  });
  const body = await res.json();
  if (!res.ok) return body.error_description ?? 'the sign-in failed';
  localStorage.setItem(TOKEN, JSON.stringify(fromAnswer(body)));
  return null;
}
