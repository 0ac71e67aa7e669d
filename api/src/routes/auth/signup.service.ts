import { cellsOf, provisionTenant } from '@medstock/db';
import type pg from 'pg';
import type { AppDeps } from '../../deps.ts';
import { inControlTransaction } from '../../lib/control-transaction.ts';
import { assertStrongPassword, hashPassword, passwordUserInputs } from '../../lib/passwords.ts';
import { conflict, ProblemError } from '../../lib/problem.ts';
import { randomSecret, sha256 } from '../../lib/tokens.ts';
import { purgeExpiredAccountRecords } from './account-housekeeping.ts';
import { openSession } from './auth.service.ts';
import { signupConfirmationMail } from './auth-mail.ts';
import { type ClientContext, verifyPasswordThrottled } from './login-throttle.ts';
import { assertKnownCatalogueTemplate, seedNewTenant, type TenantSeedInput } from './tenant-seed.ts';
import { webUrl } from './web-links.ts';

export interface SignupInput extends TenantSeedInput {
  organizationName: string;
  email: string;
  password: string;
  name?: string;
  locale?: 'zh-CN' | 'en';
}

export const invalidToken = () =>
  new ProblemError(
    400,
    'token_invalid',
    'Bad request',
    'This link is invalid, has expired or was already used; ask for a new one.',
    [{ field: 'body:/token', message: 'invalid, expired or already used', code: 'token_invalid' }],
  );

/**
 * Sign-up never says whether the address has an account: every valid request is stored with
 * its hashed password, answered the same way, and followed by one e-mail. Only that e-mail
 * differs (a new address is asked to confirm; an existing account is told the organisation will
 * join it), and only the mailbox's owner reads it. The same work (scrypt, one insert, one
 * message) is done either way, so the answer's timing does not tell either.
 */
export async function requestSignup(deps: AppDeps, input: SignupInput): Promise<void> {
  const email = input.email.trim();
  assertKnownCatalogueTemplate(input.catalogueTemplate);
  await assertStrongPassword(input.password, passwordUserInputs(email, input.name, input.organizationName));
  const passwordHash = await hashPassword(input.password);
  const token = randomSecret(32);
  const pool = deps.database.pool;
  await purgeExpiredAccountRecords(deps);
  await pool.query(
    `insert into control.signup_requests
       (token_hash, email, password_hash, organization_name, name, locale, site_name, catalogue_template, expires_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8, now() + make_interval(secs => $9))`,
    [
      sha256(token),
      email,
      passwordHash,
      input.organizationName,
      input.name ?? '',
      input.locale ?? 'zh-CN',
      input.siteName ?? null,
      input.catalogueTemplate ?? null,
      deps.config.SIGNUP_CONFIRM_TTL_SECONDS,
    ],
  );
  const account = await pool.query('select 1 from control.users where lower(email) = lower($1)', [email]);
  await deps.mailer.send(
    signupConfirmationMail({
      to: email,
      locale: input.locale ?? 'zh-CN',
      organizationName: input.organizationName,
      link: webUrl(deps, '/signup/confirm', token),
      ttlSeconds: deps.config.SIGNUP_CONFIRM_TTL_SECONDS,
      hasAccount: (account.rowCount ?? 0) > 0,
    }),
  );
}

type Owner = { userId: string } | { email: string; name: string; passwordHash: string; locale: string };

/**
 * The organisation, its owner's membership, the tenant schema with its seed, and a session, in
 * the caller's transaction: a failure anywhere (a failing migration, a bad template) leaves
 * nothing behind. A new account is created here too; its address may have been taken since.
 */
async function provisionOrganization(
  deps: AppDeps,
  client: pg.PoolClient,
  input: TenantSeedInput & { organizationName: string; locale: string },
  owner: Owner,
  userAgent: string | undefined,
) {
  const org = await client.query<{ id: string }>(
    `insert into control.organizations (name, deployment_mode, locale, catalogue_template, plan)
     values ($1, $2, $3, $4, $5) returning id`,
    [
      input.organizationName,
      deps.config.DEPLOYMENT_MODE,
      input.locale,
      input.catalogueTemplate ?? null,
      deps.config.STRIPE_SECRET_KEY ? 'free' : 'chain',
    ],
  );
  const organizationId = org.rows[0]!.id;
  const userId =
    'userId' in owner
      ? owner.userId
      : (
          await client
            .query<{ id: string }>(
              'insert into control.users (email, name, password_hash, locale) values ($1, $2, $3, $4) returning id',
              [owner.email, owner.name, owner.passwordHash, owner.locale],
            )
            .catch((err: { code?: string }) => {
              // Only the mailbox's owner gets here (they hold the link), so this reveals nothing.
              if (err.code === '23505')
                throw conflict(
                  'account_created_meanwhile',
                  'An account was created for this address meanwhile; open the link again.',
                );
              throw err;
            })
        ).rows[0]!.id;
  await client.query(
    `insert into control.memberships (organization_id, user_id, role) values ($1, $2, 'owner')`,
    [organizationId, userId],
  );
  await provisionTenant(client, organizationId, (c) => seedNewTenant(c, input), {
    cells: cellsOf(deps.database.db),
  });
  const tokens = await openSession(deps, client, userId, organizationId, userAgent);
  return { organizationId, userId, tokens };
}

/**
 * Opening the e-mailed link proves the mailbox; the password proves it is the person who asked
 * (for a new address, the password chosen on the form; for an existing account, its own). So an
 * attacker who signs up someone else's address with a password of their choosing cannot have
 * that password activated by the victim's click. A wrong password leaves the link usable and
 * counts as a failed login; the right one creates the organisation and signs in.
 */
export async function confirmSignup(
  deps: AppDeps,
  input: { token: string; password: string },
  client: ClientContext,
) {
  const pool = deps.database.pool;
  const pending = (
    await pool.query<{
      id: string;
      email: string;
      password_hash: string;
      organization_name: string;
      name: string;
      locale: string;
      site_name: string | null;
      catalogue_template: string | null;
    }>(
      `select id, email, password_hash, organization_name, name, locale, site_name, catalogue_template
         from control.signup_requests
        where token_hash = $1 and confirmed_at is null and expires_at > now()`,
      [sha256(input.token)],
    )
  ).rows[0];
  if (!pending) throw invalidToken();
  const account = (
    await pool.query<{ id: string; password_hash: string }>(
      'select id, password_hash from control.users where lower(email) = lower($1)',
      [pending.email],
    )
  ).rows[0];
  const ok = await verifyPasswordThrottled(deps, client, {
    email: pending.email,
    password: input.password,
    account: account
      ? { id: account.id, passwordHash: account.password_hash }
      : { id: null, passwordHash: pending.password_hash },
  });
  if (!ok)
    throw new ProblemError(
      401,
      'invalid_credentials',
      'Unauthorized',
      account
        ? 'This address already has an account: enter that account’s password.'
        : 'Enter the password you chose when signing up.',
      [{ field: 'body:/password', message: 'wrong password', code: 'invalid_credentials' }],
      { messageKey: account ? 'invalid_credentials.existing_account' : 'invalid_credentials.signup' },
    );
  return inControlTransaction(pool, async (tx) => {
    // Single use, even when the link is opened twice at once.
    const claimed = await tx.query(
      `update control.signup_requests set confirmed_at = now()
        where id = $1 and confirmed_at is null and expires_at > now()`,
      [pending.id],
    );
    if (!claimed.rowCount) throw invalidToken();
    const seed = {
      organizationName: pending.organization_name,
      locale: pending.locale,
      ...(pending.site_name ? { siteName: pending.site_name } : {}),
      ...(pending.catalogue_template ? { catalogueTemplate: pending.catalogue_template } : {}),
    };
    const owner: Owner = account
      ? { userId: account.id }
      : {
          email: pending.email,
          name: pending.name,
          passwordHash: pending.password_hash,
          locale: pending.locale,
        };
    const created = await provisionOrganization(deps, tx, seed, owner, client.userAgent);
    await tx.query('update control.signup_requests set organization_id = $2 where id = $1', [
      pending.id,
      created.organizationId,
    ]);
    return created;
  });
}

/**
 * An organisation and a new owner account made at once, without the e-mail round trip, for
 * trusted local callers only (the demo seed, benchmarks); never reachable over HTTP.
 */
export async function createOrganizationWithOwner(deps: AppDeps, input: SignupInput) {
  const email = input.email.trim();
  await assertStrongPassword(input.password, passwordUserInputs(email, input.name, input.organizationName));
  const passwordHash = await hashPassword(input.password);
  const locale = input.locale ?? 'zh-CN';
  return inControlTransaction(deps.database.pool, (tx) =>
    provisionOrganization(
      deps,
      tx,
      { ...input, locale },
      { email, name: input.name ?? '', passwordHash, locale },
      undefined,
    ),
  );
}
