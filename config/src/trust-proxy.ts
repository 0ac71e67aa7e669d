import ipaddr from 'ipaddr.js';

/** Fastify's `trustProxy`: off, "the first n hops" (as proxy-addr's function), or the proxies' addresses and CIDRs. */
export type TrustProxy = false | string[] | ((address: string, hop: number) => boolean);

// proxy-addr's names for common ranges, accepted as list entries too.
const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * TRUST_PROXY: `off` (the default: X-Forwarded-For is ignored and the client address is the
 * peer's), a hop count (`1`: one proxy in front, the address it saw is used), or a comma list of
 * the proxies' addresses or CIDRs (`10.0.0.5, 10.1.0.0/16`: forwarded addresses are believed only
 * from those peers). `true` (trust anyone) is not offered: it lets any client choose its address.
 */
export function parseTrustProxy(value: string): TrustProxy {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'off' || v === 'false' || v === '0') return false;
  if (/^\d+$/.test(v)) {
    const hops = Number(v);
    return (_address, hop) => hop < hops;
  }
  const entries = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const e of entries) {
    if (NAMED_RANGES.has(e)) continue;
    if (e.includes('/') ? ipaddr.isValidCIDR(e) : ipaddr.isValid(e)) continue;
    throw new Error(
      `TRUST_PROXY: "${e}" is not an IP address, a CIDR or one of loopback, linklocal, uniquelocal (use off, a hop count, or a comma list)`,
    );
  }
  return entries;
}
