// Calls to Medley's Web API with the signed-in user's token, as any client of it makes them.
import { CLIENT_ID, token } from './auth';

/// This browser's device id, kept across visits.
export function deviceId(): string {
  let id = localStorage.getItem('medley.device');
  if (!id) {
    id = `web-${crypto.randomUUID()}`;
    localStorage.setItem('medley.device', id);
  }
  return id;
}

export function headers(): Record<string, string> {
  const t = token();
  return {
    'x-api-key': CLIENT_ID,
    'x-amzn-device-id': deviceId(),
    ...(t ? { authorization: `Bearer ${t.access}` } : {}),
  };
}

export class ApiError extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message);
  }
}

export async function get<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: headers() });
  const body = await res.json();
  if (!res.ok) throw new ApiError(res.status, body.code, body.message);
  return body.data as T;
}
