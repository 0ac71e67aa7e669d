import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { endpointUrlProblem, resolveEndpointHost } from '@medstock/contracts/webhooks/endpoint-address.ts';
import { responseExcerpt } from './response-excerpt.ts';

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
