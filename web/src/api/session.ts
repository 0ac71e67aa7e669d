import { useEffect, useState } from 'preact/hooks';
import { api, call, type Json, publicApi, refreshAccessToken, sessionHint, setAccessToken } from './client';

export type Me = Json<'/v1/me', 'get'>;
export type Scope = Me['scopes'][number];

interface SessionState {
  status: 'loading' | 'signed-out' | 'signed-in';
  me: Me | null;
}

let state: SessionState = { status: 'loading', me: null };
const listeners = new Set<(s: SessionState) => void>();

function set(next: SessionState) {
  state = next;
  for (const l of listeners) l(state);
}

export function useSession(): SessionState {
  const [s, setS] = useState(state);
  useEffect(() => {
    listeners.add(setS);
    setS(state);
    return () => void listeners.delete(setS);
  }, []);
  return s;
}

export function currentMe(): Me | null {
  return state.me;
}

export function can(scope: Scope): boolean {
  return state.me?.scopes.includes(scope) ?? false;
}

async function loadMe() {
  const me = await call(api.GET('/v1/me'));
  set({ status: 'signed-in', me });
}

/** After the organisation or one's own access changed: the header and nav follow. */
export const reloadMe = loadMe;

/** On page load: a refresh cookie (if the browser has one) becomes an access token. */
export async function restoreSession() {
  if (sessionHint.get() && (await refreshAccessToken())) {
    try {
      await loadMe();
      return;
    } catch {}
  }
  setAccessToken(null);
  set({ status: 'signed-out', me: null });
}

export async function signedIn(accessToken: string) {
  setAccessToken(accessToken);
  await loadMe();
}

export async function signOut() {
  try {
    await api.POST('/v1/auth/logout');
  } catch {}
  setAccessToken(null);
  set({ status: 'signed-out', me: null });
}

export function sessionLost() {
  setAccessToken(null);
  set({ status: 'signed-out', me: null });
}

export { publicApi };
