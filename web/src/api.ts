// Calls to Medley's Web API with the signed-in user's token, as any client of it makes them.
import { CLIENT_ID, accessToken, forget, renewAfterRefusal } from './auth';

/// This browser's device id, kept across visits.
export function deviceId(): string {
  let id = localStorage.getItem('medley.device');
  if (!id) {
    id = `web-${crypto.randomUUID()}`;
    localStorage.setItem('medley.device', id);
  }
  return id;
}

/// The qualities a listener can pick, as the capability header that asks for each.
export const QUALITIES = [
  { label: 'Standard', capability: 'STD_RES' },
  { label: 'HD', capability: 'STD_RES,HI_FI' },
  { label: 'Ultra HD', capability: 'STD_RES,HI_FI,HI_RES' },
] as const;

export function quality(): string {
  const saved = localStorage.getItem('medley.quality');
  return QUALITIES.some((q) => q.capability === saved) ? saved! : QUALITIES[2].capability;
}

export function setQuality(capability: string): void {
  localStorage.setItem('medley.quality', capability);
}

/// Whether this browser plays DASH (Media Source Extensions with Opus in MP4): the page then
/// asks for it, as Amazon's apps get it; elsewhere for files, which <audio> plays itself.
export const DASH = typeof MediaSource !== 'undefined' && MediaSource.isTypeSupported('audio/mp4; codecs="opus"');

/// The headers of a call, with `access` (by default the current access token, renewed first
/// when due).
export async function headers(access?: string | null): Promise<Record<string, string>> {
  const t = access === undefined ? await accessToken() : access;
  return {
    'x-api-key': CLIENT_ID,
    'x-amzn-device-id': deviceId(),
    'x-amzn-audio-device-capability': quality(),
    'x-medley-protocol': DASH ? 'DASH' : 'PROGRESSIVE',
    ...(t ? { authorization: `Bearer ${t}` } : {}),
  };
}

/// The end of the sign-in (it was ended on the server, or cannot be renewed): the sign-in page.
export function signedOut(): never {
  forget();
  location.reload();
  throw new ApiError(401, 'UNAUTHORIZED', 'signed out');
}

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

/// Calls the API and answers its `data`; an error answer throws an ApiError with its message.
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const send = async (access?: string | null) => fetch(path, {
    method,
    headers: { ...(await headers(access)), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    // A stop event sent as the page goes away still arrives.
    keepalive: method !== 'GET',
  });
  let res = await send();
  if (res.status === 401) {
    // The token ran out early (a sleeping laptop) or the link was ended: renew once.
    const renewed = await renewAfterRefusal();
    if (!renewed) signedOut();
    res = await send(renewed);
    if (res.status === 401) signedOut();
  }
  const text = await res.text();
  const parsed = text ? JSON.parse(text) : {};
  if (!res.ok) throw new ApiError(res.status, parsed.code ?? 'ERROR', parsed.message ?? res.statusText);
  return parsed.data as T;
}

export const get = <T>(path: string) => call<T>('GET', path);

/// A query string of the values that are set.
export function query(params: Record<string, string | number | null | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== null && v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/// A picture the player may show: only Medley's own, never one from elsewhere (docs/decisions.md).
export function picture(images: { url: string }[] | undefined, style = 'SL160'): string {
  const own = images?.find((i) => new URL(i.url, location.href).origin === location.origin);
  const url = new URL(own?.url ?? '/media/images/medley', location.href);
  url.searchParams.set('style', style);
  return url.pathname + url.search;
}
