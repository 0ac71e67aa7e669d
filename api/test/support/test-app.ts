import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppConfig, loadConfig } from '@medstock/config';
import { buildApp } from '../../src/app.ts';
import { createDeps } from '../../src/create-deps.ts';
import type { AppDeps } from '../../src/deps.ts';
import { type CapturedMail, startSmtpCapture } from './smtp-capture.ts';
import { createTestDatabase } from './test-database.ts';

export type TestApp = Awaited<ReturnType<typeof startTestApp>>;

/** The real app on a fresh database and the test Redis, driven with app.inject. */
export async function startTestApp(
  overrides: Partial<Record<keyof AppConfig, string>> = {},
  // e.g. { logStream } for a test that reads what the API logs
  appOptions: Parameters<typeof buildApp>[1] = {},
) {
  const database = await createTestDatabase();
  // Mail goes over real SMTP to a capture server of this app's own, unless a test chooses its
  // own SMTP_URL (or '' for .eml files in a MAIL_DIR of its own); never into the checkout.
  const mail = await startSmtpCapture();
  const mailDir = mkdtempSync(join(tmpdir(), 'medstock-mail-'));
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: database.url,
    QUEUE_PREFIX: `t${randomBytes(4).toString('hex')}`,
    RATE_LIMIT_PER_MINUTE: '100000',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000',
    SMTP_URL: mail.url,
    MAIL_DIR: mailDir,
    ...overrides,
  });
  const deps = await createDeps(config);
  const app = await buildApp(deps, { logger: false, ...appOptions });
  await app.ready();
  return {
    app,
    deps: deps as AppDeps,
    config,
    databaseUrl: database.url,
    /** Every message the app sent over SMTP (when the test kept the default SMTP_URL). */
    mail,
    close: async () => {
      await app.close();
      await deps.close();
      await Promise.allSettled([database.drop(), mail.close()]);
      rmSync(mailDir, { recursive: true, force: true });
    },
  };
}

let counter = 0;
export function uniqueEmail(tag = 'user'): string {
  return `${tag}-${Date.now().toString(36)}-${counter++}-${randomBytes(3).toString('hex')}@example.org`;
}

export const PASSWORD = 'correct-horse-battery';

export interface SignedUp {
  organizationId: string;
  userId: string;
  accessToken: string;
  refreshToken: string;
  email: string;
  headers: { authorization: string };
}

/**
 * Signs up through the public flow: the sign-up request (202), the confirmation e-mail as the
 * capture server received it, then the confirm call with the password, which signs in.
 */
export async function signUp(
  t: { app: TestApp['app']; mail: TestApp['mail'] },
  body: Record<string, unknown> = {},
): Promise<SignedUp> {
  const email = (body.email as string) ?? uniqueEmail('owner');
  const password = (body.password as string) ?? PASSWORD;
  const isConfirmation = (m: CapturedMail) => m.links.some((l) => l.includes('/signup/confirm?token='));
  const earlier = t.mail.to(email, isConfirmation).length;
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/signup',
    payload: { organizationName: 'Test clinic', email, password, ...body },
  });
  if (res.statusCode !== 202) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const token = confirmationToken(await t.mail.waitFor(email, isConfirmation, earlier + 1));
  const confirm = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/signup/confirm',
    payload: { token, password },
  });
  if (confirm.statusCode !== 201)
    throw new Error(`signup confirm failed: ${confirm.statusCode} ${confirm.body}`);
  const j = confirm.json();
  return {
    organizationId: j.organizationId,
    userId: j.userId,
    accessToken: j.accessToken,
    refreshToken: j.refreshToken,
    email,
    headers: { authorization: `Bearer ${j.accessToken}` },
  };
}

/** The token of the first link in a message that carries one (sign-up, reset, invitation). */
export function confirmationToken(mail: CapturedMail): string {
  for (const link of mail.links) {
    const token = new URL(link).searchParams.get('token');
    if (token) return token;
  }
  throw new Error(`no link with a token in "${mail.subject}"`);
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
