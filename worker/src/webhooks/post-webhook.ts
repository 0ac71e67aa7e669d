import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP } from 'node:net';

/**
 * Addresses a SaaS webhook must never reach: loopback, private ranges, link-local (cloud
 * metadata at 169.254.169.254), carrier-grade NAT, multicast, unspecified.
 */
const BLOCKED = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['224.0.0.0', 3],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  BLOCKED.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped) return BLOCKED.check(mapped[1]!, 'ipv4');
  return BLOCKED.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why a URL may not be used as an endpoint, or null. Literal addresses are checked here; names at send time. */
export function endpointUrlProblem(url: string, allowPrivate: boolean): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return 'must be an http or https URL';
  if (u.username || u.password) return 'must not contain credentials';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && (host === 'localhost' || host.endsWith('.localhost') || isPrivateAddress(host))) {
    return 'points to a private or loopback address';
  }
  return null;
}

type LookupCallback = (
  err: NodeJS.ErrnoException | null,
  address: string | LookupAddress[],
  family?: number,
) => void;

/** A DNS lookup that refuses private answers, so a name cannot be pointed at our network later. */
function guardedLookup(hostname: string, options: object, callback: LookupCallback): void {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, []);
    const list = addresses as LookupAddress[];
    const bad = list.find((a) => isPrivateAddress(a.address));
    if (bad) {
      const e: NodeJS.ErrnoException = new Error(
        `${hostname} resolves to a private address (${bad.address})`,
      );
      e.code = 'EPRIVATEADDRESS';
      return callback(e, []);
    }
    if ((options as { all?: boolean }).all) return callback(null, list);
    const first = list[0];
    if (!first) return callback(new Error(`${hostname} has no address`), []);
    callback(null, first.address, first.family);
  });
}

export interface PostResult {
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/**
 * POSTs one webhook body. Redirects are not followed (a 3xx is a failed attempt); the response
 * body is read only to free the socket, at most 1 KiB of it is kept for the error message.
 */
export function postWebhook(
  url: string,
  body: string,
  headers: Record<string, string>,
  opts: { timeoutMs: number; allowPrivate: boolean },
): Promise<PostResult> {
  const started = performance.now();
  const done = (statusCode: number | null, error: string | null): PostResult => ({
    statusCode,
    error,
    durationMs: Math.round(performance.now() - started),
  });
  const problem = endpointUrlProblem(url, opts.allowPrivate);
  if (problem) return Promise.resolve(done(null, `the URL ${problem}`));
  const u = new URL(url);
  const client = u.protocol === 'https:' ? https : http;
  return new Promise<PostResult>((resolve) => {
    const req = client.request(
      u,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'medstock-webhooks/1',
          ...headers,
        },
        signal: AbortSignal.timeout(opts.timeoutMs),
        ...(opts.allowPrivate ? {} : { lookup: guardedLookup as never }),
      },
      (res) => {
        let kept = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          if (kept.length < 1024) kept += c.slice(0, 1024 - kept.length);
        });
        res.on('error', (e) => resolve(done(res.statusCode ?? null, e.message)));
        res.on('end', () => {
          const code = res.statusCode ?? 0;
          resolve(
            done(
              code,
              code >= 200 && code < 300
                ? null
                : `HTTP ${code}${kept ? `: ${kept.trim().slice(0, 300)}` : ''}`,
            ),
          );
        });
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => {
      const msg =
        e.name === 'AbortError' || e.name === 'TimeoutError'
          ? `no response within ${opts.timeoutMs} ms`
          : e.message;
      resolve(done(null, msg));
    });
    req.end(body);
  });
}
