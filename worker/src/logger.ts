import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The worker's structured log (JSON lines on stdout). Job logs carry the job's name, id and
 * tenant; errors are logged with their message and code, never with job secrets (jobs carry ids).
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'worker' } });
}

/** Error fields worth logging: message, code (SQLSTATE or errno), and the first cause's. */
export function errorFields(err: unknown): Record<string, unknown> {
  const e = err as {
    message?: string;
    code?: string;
    name?: string;
    cause?: { message?: string; code?: string };
  };
  return {
    err: {
      name: e?.name,
      message: e?.message ?? String(err),
      code: e?.code ?? e?.cause?.code,
      ...(e?.cause?.message ? { cause: e.cause.message } : {}),
    },
  };
}

/**
 * Logs repeated errors of one kind (a dependency that is down) at most once per interval, so a
 * Redis outage does not write a line per reconnect attempt.
 */
export function throttledErrorLog(log: Logger, msg: string, everyMs = 5000): (err: unknown) => void {
  let last = 0;
  let suppressed = 0;
  return (err) => {
    const now = Date.now();
    if (now - last < everyMs) {
      suppressed++;
      return;
    }
    log.error({ ...errorFields(err), suppressed }, msg);
    last = now;
    suppressed = 0;
  };
}
