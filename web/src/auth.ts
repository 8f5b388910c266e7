// Signing in through Medley's own OAuth authorization code flow with PKCE, as a public client
// (no secret, so no refresh token: when the hour is up the user signs in again). The token is
// kept in localStorage, so every tab of the browser shares one sign-in; a sign-in under way
// stays in its own tab (sessionStorage).

/// The player's client id: `medley serve` registers it; the sign-in page sends it back to this
/// page at whichever address of the server it was opened.
export const CLIENT_ID = 'amzn1.application-oa2-client.medleyplayer';
const SCOPES = [
  'music::catalog', 'music::playback', 'music::history', 'music::library',
  'music::favorites', 'music::profile',
];
const TOKEN = 'medley.token';
const PENDING = 'medley.signin';

export interface Token { access: string; expires: number }

function redirectUri(): string {
  return `${location.origin}/`;
}

function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/// The token signed in with, while it lasts.
export function token(): Token | null {
  const t = JSON.parse(localStorage.getItem(TOKEN) ?? 'null') as Token | null;
  return t && t.expires > Date.now() + 30_000 ? t : null;
}

export function signOut(): void {
  localStorage.removeItem(TOKEN);
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
  const t: Token = { access: body.access_token, expires: Date.now() + body.expires_in * 1000 };
  localStorage.setItem(TOKEN, JSON.stringify(t));
  return null;
}
