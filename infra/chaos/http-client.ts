import { sleep } from './timing.ts';

/** What one HTTP attempt came back with; `status` 0 means no answer (refused, reset, timed out). */
export interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: the JSON of many different routes, read field by field
  body: any;
  retryAfter: string | null;
  replayed: boolean;
  ms: number;
  error?: 'timeout' | 'network';
}

/** Per-attempt figures of every request the chaos tool sends (writes and reads alike). */
export class AttemptStats {
  attempts = 0;
  timeouts = 0;
  networkErrors = 0;
  /** Answers that took longer than 5 s: a dependency outage must not make the API hang. */
  slow = 0;
  /** 503 with Retry-After: the documented answer while a dependency is down. */
  unavailable = 0;
  /** Every other 5xx: a failure the caller cannot act on (target 0). */
  serverErrors = 0;
  byStatus: Record<string, number> = {};
  serverErrorSamples: string[] = [];
  slowSamples: string[] = [];
  /** `409 idempotency_in_progress`: the key is held by an earlier attempt (alive, or dead and not yet taken over). */
  inProgress = 0;
  /** When the last answer that was no answer or a 5xx came back. */
  lastFailureAt = 0;

  record(a: Answer, what: string): void {
    this.attempts++;
    if (a.ms > 5_000) {
      this.slow++;
      if (this.slowSamples.length < 5)
        this.slowSamples.push(`${what} ${a.error ?? a.status} after ${Math.round(a.ms / 100) / 10} s`);
    }
    if (a.error === 'timeout') this.timeouts++;
    if (a.error === 'network') this.networkErrors++;
    if (a.status === 0 || a.status >= 500) this.lastFailureAt = Date.now();
    if (a.status === 409 && a.body?.code === 'idempotency_in_progress') this.inProgress++;
    const key = a.error ?? String(a.status);
    this.byStatus[key] = (this.byStatus[key] ?? 0) + 1;
    if (a.status === 503 && a.retryAfter !== null) this.unavailable++;
    else if (a.status >= 500) {
      this.serverErrors++;
      if (this.serverErrorSamples.length < 5)
        this.serverErrorSamples.push(`${what} → ${a.status} ${a.body?.code ?? ''}`.trim());
    }
  }
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  idempotencyKey?: string;
  timeoutMs?: number;
}

export async function request(
  baseUrl: string,
  method: string,
  path: string,
  opts: RequestOptions = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.idempotencyKey) headers['idempotency-key'] = opts.idempotencyKey;
  const started = Date.now();
  try {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : null;
    } catch {}
    return {
      status: res.status,
      body,
      retryAfter: res.headers.get('retry-after'),
      replayed: res.headers.get('idempotent-replayed') === 'true',
      ms: Date.now() - started,
    };
  } catch (err) {
    const name = (err as Error).name;
    return {
      status: 0,
      body: null,
      retryAfter: null,
      replayed: false,
      ms: Date.now() - started,
      error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network',
    };
  }
}

/** Worth another try with the same Idempotency-Key: no answer, a 5xx, 429, or the first attempt still running. */
export function retriable(a: Answer): boolean {
  return (
    a.status === 0 ||
    a.status >= 500 ||
    a.status === 429 ||
    (a.status === 409 && a.body?.code === 'idempotency_in_progress')
  );
}

export type Outcome =
  | { kind: 'accepted'; answer: Answer; at: number; attempts: number }
  /** `409 idempotency_applied_response_lost`: the server says the first attempt was applied, its answer lost. */
  | { kind: 'confirmed'; answer: Answer; at: number; attempts: number }
  | { kind: 'refused'; answer: Answer; attempts: number }
  | { kind: 'gave_up'; last: Answer; attempts: number };

/**
 * A careful integrator's POST: one Idempotency-Key per logical request, and the same key and body
 * again after a network error, a 5xx, a 429 or `409 idempotency_in_progress`, honouring
 * Retry-After (capped) and otherwise backing off, until a definitive answer or `giveUpAt()`.
 */
export async function postUntilDefinitive(
  baseUrl: string,
  path: string,
  opts: { token: string; body: unknown; idempotencyKey: string },
  stats: AttemptStats,
  giveUpAt: () => number,
): Promise<Outcome> {
  let backoff = 200;
  let attempts = 0;
  while (true) {
    const a = await request(baseUrl, 'POST', path, opts);
    attempts++;
    stats.record(a, `POST ${path}`);
    if (a.status >= 200 && a.status < 300) return { kind: 'accepted', answer: a, at: Date.now(), attempts };
    if (a.status === 409 && a.body?.code === 'idempotency_applied_response_lost')
      return { kind: 'confirmed', answer: a, at: Date.now(), attempts };
    if (!retriable(a)) return { kind: 'refused', answer: a, attempts };
    if (Date.now() >= giveUpAt()) return { kind: 'gave_up', last: a, attempts };
    const hinted = Number(a.retryAfter);
    await sleep(Number.isFinite(hinted) && hinted > 0 ? Math.min(hinted * 1000, 2000) : backoff);
    backoff = Math.min(backoff * 2, 2000);
  }
}
