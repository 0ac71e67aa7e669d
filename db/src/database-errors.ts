/**
 * What a PostgreSQL failure means for the caller, from the SQLSTATE or the driver's error. Drizzle
 * wraps driver errors (the SQLSTATE is on `cause`) and Node reports a refused connection as an
 * AggregateError when a host name resolves to several addresses: look through both.
 */
function* errorChain(err: unknown): Generator<Record<string, unknown>> {
  const seen = new Set<unknown>();
  const stack = [err];
  while (stack.length) {
    const e = stack.pop();
    if (!e || typeof e !== 'object' || seen.has(e)) continue;
    seen.add(e);
    yield e as Record<string, unknown>;
    const { cause, errors } = e as { cause?: unknown; errors?: unknown };
    stack.push(cause);
    if (Array.isArray(errors)) stack.push(...errors);
  }
}

/** The first SQLSTATE (five characters) or Node system error code (ECONNREFUSED …) in the chain. */
export function databaseErrorCode(err: unknown): string | undefined {
  for (const e of errorChain(err)) if (typeof e.code === 'string') return e.code;
  return undefined;
}

/** Serialisation failure and deadlock: the transaction lost a race and is safe to run again. */
const RETRYABLE = new Set(['40001', '40P01']);

export function isRetryableConflict(err: unknown): boolean {
  for (const e of errorChain(err)) if (typeof e.code === 'string' && RETRYABLE.has(e.code)) return true;
  return false;
}

const UNAVAILABLE_CODES = new Set([
  '57P01', // admin_shutdown: the server is stopping or restarting
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now: starting up or in recovery
  '53300', // too_many_connections
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

// pg and pg-pool throw these without a code when the server goes away or the pool cannot hand
// out a connection within connectionTimeoutMillis.
const UNAVAILABLE_MESSAGES = [
  'timeout exceeded when trying to connect',
  'Connection terminated',
  'Client has encountered a connection error and is not queryable',
  'Connection is closed',
];

/**
 * True when the database could not be reached or dropped the connection (class 08, admin or
 * crash shutdown, refused or reset connections, pool timeouts): the request may succeed later,
 * so the API answers 503 with Retry-After rather than 500.
 */
export function isDatabaseUnavailable(err: unknown): boolean {
  for (const e of errorChain(err)) {
    const code = typeof e.code === 'string' ? e.code : undefined;
    if (code && (UNAVAILABLE_CODES.has(code) || /^08[0-9A-Z]{3}$/.test(code))) return true;
    const message = typeof e.message === 'string' ? e.message : '';
    if (UNAVAILABLE_MESSAGES.some((m) => message.includes(m))) return true;
  }
  return false;
}
