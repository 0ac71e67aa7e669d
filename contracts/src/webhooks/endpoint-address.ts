import dns from 'node:dns';
import { isIP } from 'node:net';
import { isLocalName, isPublicUnicast } from './address-policy.ts';

/**
 * Whether a URL may be a webhook endpoint: checked by the API when an endpoint is saved and by
 * the worker before every request, from this one module so both refuse the same addresses.
 */

/** The one answer every refused address gets: it never says what a name resolved to. */
export const PRIVATE_ADDRESS_PROBLEM = 'points to a private or loopback address';

/** True for an IP literal that is not public unicast (host names are checked by resolveEndpointHost). */
export function isPrivateAddress(address: string): boolean {
  return isIP(address) !== 0 && !isPublicUnicast(address);
}

/** Why a URL may not be used as an endpoint, or null. Literal addresses are checked here; names when resolved. */
export function endpointUrlProblem(url: string, allowPrivate: boolean): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be an http or https URL';
  if (u.username || u.password) return 'must not contain credentials';
  // WHATWG URL parsing already turned 2130706433, 0x7f.1 and friends into dotted IPv4.
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (isLocalName(host) || isPrivateAddress(host))) return PRIVATE_ADDRESS_PROBLEM;
  return null;
}

export type ResolvedHost =
  | { ok: true; address: string; family: 4 | 6 }
  | { ok: false; problem: string; unresolved?: boolean };

/**
 * Resolves an endpoint's host once. Every answer must be public unicast (an attacker's DNS could
 * mix a public and a private answer); the first one is then used for the whole request, so a
 * second lookup (DNS rebinding) cannot switch the address under us.
 */
export async function resolveEndpointHost(host: string, allowPrivate: boolean): Promise<ResolvedHost> {
  const bare = host.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family !== 0) {
    if (!allowPrivate && !isPublicUnicast(bare)) return { ok: false, problem: PRIVATE_ADDRESS_PROBLEM };
    return { ok: true, address: bare, family: family as 4 | 6 };
  }
  if (!allowPrivate && isLocalName(bare)) return { ok: false, problem: PRIVATE_ADDRESS_PROBLEM };
  let answers: Array<{ address: string; family: number }>;
  try {
    answers = await dns.promises.lookup(bare, { all: true, verbatim: true });
  } catch {
    return { ok: false, problem: 'has a host name that could not be resolved', unresolved: true };
  }
  if (answers.length === 0)
    return { ok: false, problem: 'has a host name that could not be resolved', unresolved: true };
  if (!allowPrivate && answers.some((a) => !isPublicUnicast(a.address)))
    return { ok: false, problem: PRIVATE_ADDRESS_PROBLEM };
  const first = answers[0]!;
  return { ok: true, address: first.address, family: first.family === 6 ? 6 : 4 };
}
