import pRetry from 'p-retry';
import { isRetryableConflict } from './database-errors.ts';

/**
 * Runs a whole transaction again when PostgreSQL aborted it as a deadlock victim (40P01) or a
 * serialisation failure (40001): the work was rolled back, so a fresh attempt is safe. A small
 * randomised backoff lets the winner commit first; after the last attempt the error goes to the
 * caller (the API maps a lingering 40001 to 409). Every other error is thrown at once.
 */
export const TRANSACTION_ATTEMPTS = 5;

export function retryTransaction<T>(run: () => Promise<T>): Promise<T> {
  return pRetry(run, {
    retries: TRANSACTION_ATTEMPTS - 1,
    factor: 2,
    minTimeout: 10,
    maxTimeout: 250,
    randomize: true,
    shouldRetry: ({ error }) => isRetryableConflict(error),
  });
}
