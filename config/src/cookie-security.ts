/**
 * Whether the refresh cookie is marked Secure. COOKIE_SECURE decides when set (false is for
 * installations served over plain http on a ward network, where a Secure cookie would never be
 * stored); unset, the cookie is Secure unless PUBLIC_URL is plain http on a loopback address.
 */
export function refreshCookieSecure(config: { PUBLIC_URL: string; COOKIE_SECURE?: boolean }): boolean {
  if (config.COOKIE_SECURE !== undefined) return config.COOKIE_SECURE;
  return !isPlainHttpLoopback(config.PUBLIC_URL);
}

/** True for an http:// URL on localhost, 127.x.x.x or ::1 (the only place a cookie may go without TLS). */
export function isPlainHttpLoopback(url: string): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'http:') return false;
  const host = u.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}
