import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from '../../../openapi/schema';
import { initialLocale } from '../i18n/i18n';

/**
 * The web app's only way to the API: openapi-fetch typed by openapi/schema.d.ts, which is
 * generated from the committed openapi/openapi.json. The access token lives only in memory; the
 * refresh token is the API's httpOnly cookie, used by POST /v1/auth/refresh.
 */
export type Paths = paths;
export type Json<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  responses: infer R;
}
  ? R extends { 200: { content: { 'application/json': infer B } } }
    ? B
    : R extends { 201: { content: { 'application/json': infer B } } }
      ? B
      : R extends { 202: { content: { 'application/json': infer B } } }
        ? B
        : never
  : never;

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  code?: string;
  requestId?: string;
  /** The values the server filled its words with. */
  params?: Record<string, unknown>;
  /** Field errors: `field` is the machine path, `label` and `message` are in the reader's language. */
  errors?: { field: string; message: string; code?: string; label?: string }[];
  [k: string]: unknown;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
  /** Field errors keyed by the body field name ("body:/email" → "email"). */
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) {
      const name = e.field.replace(/^[a-z]+:\/?/, '').split('/')[0] ?? '';
      if (name && !out[name]) out[name] = e.message;
    }
    return out;
  }
}

let accessToken: string | null = null;
let onSessionLost: (() => void) | null = null;
let refreshing: Promise<boolean> | null = null;

const origin = typeof location === 'undefined' ? 'http://localhost' : location.origin;

/**
 * The reader's language, as the I18nProvider set it on <html lang>: the API words its problem
 * details (title, detail, field messages and labels) in it.
 */
function readerLocale(): 'zh-CN' | 'en' {
  const lang = typeof document === 'undefined' ? '' : document.documentElement.lang;
  return lang === 'en' ? 'en' : 'zh-CN';
}
const speaksReaderLanguage: Middleware = {
  onRequest({ request }) {
    request.headers.set('accept-language', readerLocale());
    return request;
  },
};

/** For sign-up, login and refresh: no bearer token, no retry. */
export const publicApi = createClient<paths>({ baseUrl: origin, credentials: 'same-origin' });
publicApi.use(speaksReaderLanguage);

/** Whether a refresh cookie probably exists, so a first visit does not send a refresh that must fail. */
const HINT = 'medstock.session';
export const sessionHint = {
  get: () => {
    try {
      return localStorage.getItem(HINT) === '1';
    } catch {
      return false;
    }
  },
  set: (on: boolean) => {
    try {
      if (on) localStorage.setItem(HINT, '1');
      else localStorage.removeItem(HINT);
    } catch {}
  },
};

export function setAccessToken(token: string | null) {
  accessToken = token;
  sessionHint.set(token !== null);
}
export function hasAccessToken() {
  return accessToken !== null;
}
export function onSessionExpired(fn: () => void) {
  onSessionLost = fn;
}

/** Exchanges the refresh cookie for a new access token; concurrent callers share one request. */
export function refreshAccessToken(): Promise<boolean> {
  refreshing ??= (async () => {
    try {
      const { data } = await publicApi.POST('/v1/auth/refresh', { body: {} });
      if (!data) {
        setAccessToken(null);
        return false;
      }
      setAccessToken(data.accessToken);
      return true;
    } catch {
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

async function authFetch(request: Request): Promise<Response> {
  // The server words its problems in the language the person reads the app in, not the browser's.
  if (!request.headers.has('accept-language')) request.headers.set('accept-language', initialLocale());
  const retry = request.clone();
  if (accessToken) request.headers.set('authorization', `Bearer ${accessToken}`);
  const response = await fetch(request);
  if (response.status !== 401 || !accessToken) return response;
  // The access token expired (15 minutes) or the session was revoked: refresh once, then retry.
  if (await refreshAccessToken()) {
    retry.headers.set('authorization', `Bearer ${accessToken}`);
    return fetch(retry);
  }
  onSessionLost?.();
  return response;
}

export const api = createClient<paths>({ baseUrl: origin, fetch: authFetch, credentials: 'same-origin' });
api.use(speaksReaderLanguage);

/** Unwraps an openapi-fetch result: the body, or an ApiError carrying the problem details. */
export async function call<T>(p: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let r: { data?: T; error?: unknown; response: Response };
  try {
    r = await p;
  } catch (err) {
    throw new ApiError(0, { title: 'network', detail: (err as Error).message, code: 'network_error' });
  }
  if (r.error !== undefined || !r.response.ok) {
    const problem = (
      typeof r.error === 'object' && r.error ? r.error : { title: String(r.error ?? r.response.statusText) }
    ) as Problem;
    throw new ApiError(r.response.status, problem);
  }
  return r.data as T;
}

/** Generates the Idempotency-Key of one form submission, so a double click writes once. */
export function idempotencyKey(): string {
  // randomUUID needs a secure context; a tablet on the ward network may reach the app over plain HTTP.
  const b = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}
