import type { App } from '@medstock/api/app.ts';
import fc from 'fast-check';
import type { FuzzTarget } from './fuzz-fixtures.ts';
import { type FuzzRequest, type OpenApiDocument, requestsFrom } from './openapi-requests.ts';

/**
 * Sends generated requests to the real app and checks the two properties every answer must
 * have: never a 5xx, and every 4xx an RFC 9457 problem (`application/problem+json` with type,
 * title, status and code). Runs in batches of fixed derived seeds, so a run is reproducible from
 * its seed and count, and reports every failure rather than stopping at the first.
 */
export interface FuzzFailure {
  index: number;
  request: FuzzRequest;
  status: number;
  reason: string;
  body: string;
}

export interface FuzzReport {
  seed: number;
  requests: number;
  byStatus: Record<string, number>;
  failures: FuzzFailure[];
  /** Milliseconds spent per operation, to see where a run's time goes. */
  msByOperation: Record<string, number>;
}

const BATCH = 250;
const SESSION_ENDERS = new Set(['POST /v1/auth/logout', 'DELETE /v1/auth/sessions/{id}']);

/** Why an answer breaks the contract, or null when it keeps it. */
export function contractViolation(res: {
  statusCode: number;
  headers: Record<string, unknown>;
  body: string;
}) {
  if (res.statusCode >= 500) return `server error ${res.statusCode}`;
  if (res.statusCode < 400) return null;
  const type = String(res.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return `4xx with content-type '${type}'`;
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(res.body);
  } catch {
    return '4xx body is not JSON';
  }
  for (const field of ['type', 'title', 'code'] as const) {
    if (typeof body[field] !== 'string' || !body[field]) return `problem without '${field}'`;
  }
  if (body.status !== res.statusCode) return `problem status ${body.status} ≠ HTTP ${res.statusCode}`;
  return null;
}

export async function send(app: App, target: FuzzTarget, request: FuzzRequest) {
  return app.inject({
    method: request.method,
    url: request.url,
    headers: { ...request.headers, ...target.credentials[request.as] },
    ...(request.payload !== undefined ? { payload: request.payload } : {}),
  });
}

export async function runFuzz(
  app: App,
  doc: OpenApiDocument,
  target: FuzzTarget,
  opts: {
    seed: number;
    count: number;
    concurrency?: number;
    onBatch?: (done: number, report: FuzzReport) => void;
  },
): Promise<FuzzReport> {
  const report: FuzzReport = { seed: opts.seed, requests: 0, byStatus: {}, failures: [], msByOperation: {} };
  const arbitrary = requestsFrom(doc, target.pool);
  for (let batch = 0; report.requests < opts.count; batch++) {
    const n = Math.min(BATCH, opts.count - report.requests);
    const requests = fc.sample(arbitrary, { seed: opts.seed + batch, numRuns: n });
    // `concurrency` requests in flight at once (the database has more than one core to use);
    // each slot takes the next request in order, so a run sends the same requests every time.
    let next = 0;
    const slot = async () => {
      while (next < requests.length) {
        const request = requests[next++]!;
        const index = report.requests++;
        const started = performance.now();
        const res = await send(app, target, request);
        report.msByOperation[request.operation] =
          (report.msByOperation[request.operation] ?? 0) + performance.now() - started;
        report.byStatus[res.statusCode] = (report.byStatus[res.statusCode] ?? 0) + 1;
        const reason = contractViolation(res);
        if (reason)
          report.failures.push({
            index,
            request,
            status: res.statusCode,
            reason,
            body: res.body.slice(0, 500),
          });
        // A fuzzed logout or session revoke that worked ends the owner's session: sign in again.
        if (request.as === 'owner' && SESSION_ENDERS.has(request.operation) && res.statusCode < 300)
          await target.refreshOwner();
      }
    };
    await Promise.all(Array.from({ length: opts.concurrency ?? 1 }, slot));
    // Anything else that ended it (a revoked session found another way): sign in again.
    const me = await app.inject({ method: 'GET', url: '/v1/me', headers: target.credentials.owner });
    if (me.statusCode === 401) await target.refreshOwner();
    opts.onBatch?.(report.requests, report);
  }
  return report;
}

const clip = (s: string, n = 300) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

/** A failure as text: what was sent (as JSON that `pnpm fuzz --replay` accepts) and what came back. */
export function describeFailure(f: FuzzFailure): string {
  const replay = JSON.stringify(f.request);
  return [
    `#${f.index} ${f.request.operation} as ${f.request.as} → ${f.status}: ${f.reason}`,
    `  replay: ${clip(replay, 2_000)}`,
    `  answer: ${clip(f.body)}`,
  ].join('\n');
}

export function summarise(report: FuzzReport): string {
  const statuses = Object.entries(report.byStatus)
    .sort(([a], [b]) => Number(a) - Number(b))
    .map(([s, n]) => `${s}: ${n}`)
    .join(', ');
  return `seed ${report.seed}: ${report.requests} requests; ${statuses}; ${report.failures.length} failures`;
}
