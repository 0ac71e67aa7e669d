import type { AppDeps } from '../../deps.ts';
import { inControlTransaction } from '../../lib/control-transaction.ts';
import { assertStrongPassword, hashPassword, passwordUserInputs } from '../../lib/passwords.ts';
import { randomSecret, sha256 } from '../../lib/tokens.ts';
import { purgeExpiredAccountRecords } from './account-housekeeping.ts';
import { passwordChangedMail, passwordResetMail } from './auth-mail.ts';
import { type ClientContext, clearAccountThrottle } from './login-throttle.ts';
import { invalidToken } from './signup.service.ts';
import { webUrl } from './web-links.ts';

const asLocale = (l: string | undefined): 'zh-CN' | 'en' => (l === 'en' ? 'en' : 'zh-CN');

/**
 * Always the same answer and one e-mail: a reset link to an account's address, or a note that
 * there is no account (with the sign-up link) to any other, so neither the answer nor its timing
 * says which. A new request replaces the account's earlier links.
 */
export async function requestPasswordReset(
  deps: AppDeps,
  input: { email: string; locale?: 'zh-CN' | 'en' },
): Promise<void> {
  const pool = deps.database.pool;
  const email = input.email.trim();
  await purgeExpiredAccountRecords(deps);
  const user = (
    await pool.query<{ id: string; email: string; locale: string }>(
      'select id, email, locale from control.users where lower(email) = lower($1)',
      [email],
    )
  ).rows[0];
  const ttlSeconds = deps.config.PASSWORD_RESET_TTL_SECONDS;
  let link: string | null = null;
  if (user) {
    const token = randomSecret(32);
    await inControlTransaction(pool, async (tx) => {
      await tx.query(
        'update control.password_resets set used_at = now() where user_id = $1 and used_at is null',
        [user.id],
      );
      await tx.query(
        `insert into control.password_resets (user_id, token_hash, expires_at)
         values ($1, $2, now() + make_interval(secs => $3))`,
        [user.id, sha256(token), ttlSeconds],
      );
    });
    link = webUrl(deps, '/password-reset/confirm', token);
  }
  await deps.mailer.send(
    passwordResetMail({
      to: user?.email ?? email,
      locale: asLocale(user?.locale ?? input.locale),
      link,
      ttlSeconds,
      signupLink: webUrl(deps, '/signup'),
    }),
  );
}

/**
 * Sets the new password (the policy applies), uses the link up, signs the account out
 * everywhere (a thief's sessions end with the owner's), lifts a login lock, and leaves an audit
 * entry in each of the account's organisations.
 */
export async function confirmPasswordReset(
  deps: AppDeps,
  input: { token: string; password: string },
  client: ClientContext,
): Promise<void> {
  const pool = deps.database.pool;
  const found = (
    await pool.query<{ id: string; user_id: string; email: string; name: string; locale: string }>(
      `select r.id, r.user_id, u.email, u.name, u.locale
         from control.password_resets r join control.users u on u.id = r.user_id
        where r.token_hash = $1 and r.used_at is null and r.expires_at > now()`,
      [sha256(input.token)],
    )
  ).rows[0];
  if (!found) throw invalidToken();
  const organizations = await pool.query<{ name: string }>(
    `select o.name from control.memberships m join control.organizations o on o.id = m.organization_id
      where m.user_id = $1`,
    [found.user_id],
  );
  await assertStrongPassword(
    input.password,
    passwordUserInputs(found.email, found.name, ...organizations.rows.map((o) => o.name)),
  );
  const passwordHash = await hashPassword(input.password);
  await inControlTransaction(pool, async (tx) => {
    const used = await tx.query(
      `update control.password_resets set used_at = now()
        where id = $1 and used_at is null and expires_at > now()`,
      [found.id],
    );
    if (!used.rowCount) throw invalidToken();
    await tx.query('update control.users set password_hash = $2 where id = $1', [
      found.user_id,
      passwordHash,
    ]);
    await tx.query(
      'update control.sessions set revoked_at = now() where user_id = $1 and revoked_at is null',
      [found.user_id],
    );
    await tx.query(
      'update control.password_resets set used_at = now() where user_id = $1 and used_at is null',
      [found.user_id],
    );
  });
  await clearAccountThrottle(deps, found.email);
  await client.audit(found.user_id, 'auth.password_reset', 204);
  // Only a notice: the password is already changed, so a mail outage must not fail the answer.
  await deps.mailer
    .send(
      passwordChangedMail({
        to: found.email,
        locale: asLocale(found.locale),
        resetLink: webUrl(deps, '/password-reset'),
      }),
    )
    .catch(() => undefined);
}
