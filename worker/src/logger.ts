import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * The worker's structured log (JSON lines on stdout). Job logs carry the job's name, id and
 * tenant; errors are logged with their message and code, never with job secrets (jobs carry ids).
 */
export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'worker' } });
}

/**
 * Error fields worth logging: message, code (SQLSTATE or errno). For a failed query Drizzle's
 * message carries the SQL and its parameters (clinic data): the driver's own message is used.
 */
export function errorFields(err: unknown): Record<string, unknown> {
  return { err: { name: (err as Error)?.name, message: errorMessage(err), code: errorCode(err) } };
}

export function errorMessage(err: unknown): string {
  const e = err as { message?: string; cause?: { message?: string } };
  return e?.cause?.message ?? e?.message ?? String(err);
}

function errorCode(err: unknown): string | undefined {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code ?? e?.cause?.code;
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
