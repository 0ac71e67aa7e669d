import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isLocalName, isPublicUnicast } from './address-policy.ts';
import { responseExcerpt } from './response-excerpt.ts';

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

/** A lookup that always answers the address resolved and checked beforehand. */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return (_hostname, options, callback) => {
    if ((options as { all?: boolean }).all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  };
}

/** A delivery-log message for a failed connection: the error kind, never an address. */
function connectionError(e: NodeJS.ErrnoException, timeoutMs: number): string {
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return `no response within ${timeoutMs} ms`;
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'connection reset';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'host unreachable';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name could not be resolved';
    case 'EPROTO':
      return 'protocol error';
    default:
      if (e.code && /CERT|TLS|SSL|SIGNATURE/.test(e.code)) return `TLS error (${e.code})`;
      return `request failed${e.code ? ` (${e.code})` : ''}`;
  }
}

export interface PostResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /**
   * The first 4 KiB of a 2xx answer's body, for receivers that report failure inside a 200
   * (WeCom and DingTalk robots answer {"errcode":…}); never logged as such.
   */
  answer?: string;
}

/**
 * POSTs one webhook body. Redirects are not followed (a 3xx is a failed attempt). The address is
 * resolved and checked first and pinned for the request; of the response only the status and a
 * short redacted excerpt of a failed answer's body are kept, never its headers.
 */
export async function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; allowPrivate: boolean; userAgent?: string },
): Promise<PostResult> {
  const started = performance.now();
  const done = (statusCode: number | null, error: string | null): PostResult => ({
    statusCode,
    error,
    durationMs: Math.round(performance.now() - started),
  });
  const problem = endpointUrlProblem(url, opts.allowPrivate);
  if (problem) return done(null, `the URL ${problem}`);
  const u = new URL(url);
  const resolved = await resolveEndpointHost(u.hostname, opts.allowPrivate);
  if (!resolved.ok) return done(null, `the URL ${resolved.problem}`);
  const client = u.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    const req = client.request(
      u,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': opts.userAgent ?? 'medstock-webhooks/1',
          ...headers,
        },
        signal: AbortSignal.timeout(opts.timeoutMs),
        lookup: pinnedLookup(resolved.address, resolved.family),
      },
      (res) => {
        let kept = '';
        res.setEncoding('utf8');
        // The rest of the body is read and dropped only to free the socket.
        res.on('data', (c: string) => {
          if (kept.length < 4096) kept += c.slice(0, 4096 - kept.length);
        });
        res.on('error', (e: NodeJS.ErrnoException) =>
          resolve(done(res.statusCode ?? null, connectionError(e, opts.timeoutMs))),
        );
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          if (code >= 200 && code < 300) return resolve({ ...done(code, null), answer: kept });
          const excerpt = responseExcerpt(kept);
          resolve(done(code, `HTTP ${code}${excerpt ? `: ${excerpt}` : ''}`));
        });
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => resolve(done(null, connectionError(e, opts.timeoutMs))));
    req.end(body);
  });
}
