import type { AppDeps } from '../../deps.ts';

/**
 * Sign-up requests, reset links and login counters are short-lived: each sign-up or reset
 * request clears what has long expired (indexed deletes), so the tables stay small without a
 * job of their own. Kept a week past expiry, for support questions about a link.
 */
export async function purgeExpiredAccountRecords(deps: AppDeps): Promise<void> {
  const pool = deps.database.pool;
  await pool.query(`delete from control.signup_requests where expires_at < now() - interval '7 days'`);
  await pool.query(`delete from control.password_resets where expires_at < now() - interval '7 days'`);
  await pool.query(
    `delete from control.login_throttle
      where last_failure_at < now() - make_interval(secs => $1) and next_attempt_at < now()`,
    [deps.config.LOGIN_FAILURE_WINDOW_SECONDS],
  );
}
