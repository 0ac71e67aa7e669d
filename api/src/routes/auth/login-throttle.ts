import type { AppConfig } from '@medstock/config';
import type { AppDeps } from '../../deps.ts';
import { dummyPasswordHash, verifyPassword } from '../../lib/passwords.ts';
import { ProblemError } from '../../lib/problem.ts';
import { sha256 } from '../../lib/tokens.ts';

interface ThrottlePolicy {
  freeFailures: number;
  lockAfter: number;
}

/**
 * Failed-login throttling per account and per client address, in PostgreSQL (it must hold with
 * Redis down and across API replicas). The counter is keyed by the typed address whether or not
 * it has an account, so a locked unknown address answers exactly like a locked account.
 *
 * Every attempt is counted before its password is checked (a success then clears it), so a burst
 * of parallel guesses cannot all slip in before the first failure is written. After
 * `freeFailures` the next attempt must wait LOGIN_BACKOFF_BASE_SECONDS, doubling with each
 * further failure; at `lockAfter` the key is locked for LOGIN_LOCK_SECONDS, and each failure
 * after the lock ends locks it again until LOGIN_FAILURE_WINDOW_SECONDS pass without one.
 */
const accountPolicy = (c: AppConfig): ThrottlePolicy => ({
  freeFailures: c.LOGIN_FREE_FAILURES,
  lockAfter: c.LOGIN_LOCK_AFTER_FAILURES,
});
const addressPolicy = (c: AppConfig): ThrottlePolicy => ({
  freeFailures: c.LOGIN_ADDRESS_FREE_FAILURES,
  lockAfter: c.LOGIN_ADDRESS_LOCK_AFTER_FAILURES,
});

export const accountKey = (email: string) => sha256(`account:${email.trim().toLowerCase()}`);
const addressKey = (ip: string) => sha256(`address:${ip}`);

// The failure count after this attempt, and the wait it earns: one expression used for both the
// first insert (f = 1) and the update, so the schedule has a single definition. clock_timestamp(),
// not now(): an attempt that waited for another's row lock must compare against the real time,
// and an attempt that earns no wait leaves no wait (-infinity) for concurrent ones to trip over.
const NOW = 'clock_timestamp()';
const NEXT_FAILURES = `case when t.last_failure_at < ${NOW} - make_interval(secs => $6) then 1 else t.failures + 1 end`;
const delaySeconds = (f: string) =>
  `(case when ${f} >= $3 then $5::float8
         when ${f} >= $2 then least($4::float8 * power(2, ${f} - $2), $5::float8)
         else 0 end)`;
const nextAttemptAt = (f: string) =>
  `(case when ${delaySeconds(f)} > 0 then ${NOW} + make_interval(secs => ${delaySeconds(f)})
         else '-infinity'::timestamptz end)`;
const RESERVE = `
  insert into control.login_throttle as t (key, failures, last_failure_at, next_attempt_at)
  values ($1, 1, ${NOW}, ${nextAttemptAt('1')})
  on conflict (key) do update
     set failures = ${NEXT_FAILURES},
         last_failure_at = ${NOW},
         next_attempt_at = ${nextAttemptAt(NEXT_FAILURES)}
   where t.next_attempt_at <= ${NOW}
  returning failures`;

export interface LoginAttempt {
  /** The failure count this attempt reached for the account, had it failed. */
  accountFailures: number;
  /** True when this attempt, if wrong, is the one that locks the account. */
  locksAccount: boolean;
  /** Clears the account's count. A failed attempt needs no call: its reservation is the failure. */
  succeeded(): Promise<void>;
}

/**
 * Reserves one attempt for the account and the address, or refuses with 429 and Retry-After
 * (the same answer whether or not the address has an account). Call before checking a password.
 */
export async function beginLoginAttempt(deps: AppDeps, email: string, ip: string): Promise<LoginAttempt> {
  const pool = deps.database.pool;
  const c = deps.config;
  const reserve = async (key: string, p: ThrottlePolicy) => {
    const r = await pool.query<{ failures: number }>(RESERVE, [
      key,
      p.freeFailures,
      p.lockAfter,
      c.LOGIN_BACKOFF_BASE_SECONDS,
      c.LOGIN_LOCK_SECONDS,
      c.LOGIN_FAILURE_WINDOW_SECONDS,
    ]);
    return r.rows[0]?.failures ?? null;
  };
  const release = (key: string) =>
    pool.query('update control.login_throttle set failures = greatest(failures - 1, 0) where key = $1', [
      key,
    ]);
  const refuse = async (keys: string[]) => {
    const r = await pool.query<{ wait: number }>(
      `select ceil(extract(epoch from max(next_attempt_at) - clock_timestamp()))::int as wait
         from control.login_throttle where key = any($1)`,
      [keys],
    );
    const wait = Math.max(1, r.rows[0]?.wait ?? 1);
    return new ProblemError(
      429,
      'login_throttled',
      'Too many requests',
      `Too many failed sign-in attempts for this e-mail address or from this network; try again in ${wait} seconds.`,
      undefined,
      { retryAfterSeconds: wait, params: { seconds: wait } },
    );
  };

  const address = addressKey(ip);
  const account = accountKey(email);
  if ((await reserve(address, addressPolicy(c))) === null) throw await refuse([address]);
  const accountFailures = await reserve(account, accountPolicy(c));
  if (accountFailures === null) {
    await release(address);
    throw await refuse([account]);
  }
  return {
    accountFailures,
    locksAccount: accountFailures === c.LOGIN_LOCK_AFTER_FAILURES,
    async succeeded() {
      await pool.query('delete from control.login_throttle where key = $1', [account]);
      // One success from an address does not wipe the failures others made from it.
      await release(address);
    },
  };
}

/** Who is asking, as the route sees it; `audit` records an event about an account in its organisations. */
export interface ClientContext {
  ip: string;
  userAgent?: string;
  audit(
    userId: string,
    action: 'auth.account_locked' | 'auth.password_reset',
    statusCode: number,
  ): Promise<void>;
}

/**
 * Checks a password under the throttle: every place that accepts a password for an account
 * (login, confirming a sign-up, accepting an invitation) goes through here, so none of them is
 * an unthrottled guessing oracle. `account` null means the address has no account: the attempt
 * is counted and costs the same scrypt time, and fails.
 */
export async function verifyPasswordThrottled(
  deps: AppDeps,
  client: ClientContext,
  attempt: { email: string; password: string; account: { id: string | null; passwordHash: string } | null },
): Promise<boolean> {
  const reserved = await beginLoginAttempt(deps, attempt.email, client.ip);
  const ok = await verifyPassword(
    attempt.password,
    attempt.account?.passwordHash ?? (await dummyPasswordHash()),
  );
  if (ok && attempt.account) {
    await reserved.succeeded();
    return true;
  }
  if (reserved.locksAccount && attempt.account?.id)
    await client.audit(attempt.account.id, 'auth.account_locked', 401);
  return false;
}

/** A password reset proves the mailbox: the account's lock and backoff end with it. */
export async function clearAccountThrottle(deps: AppDeps, email: string): Promise<void> {
  await deps.database.pool.query('delete from control.login_throttle where key = $1', [accountKey(email)]);
}
