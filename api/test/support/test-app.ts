import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AppConfig, loadConfig } from '@medstock/config';
import { buildApp } from '../../src/app.ts';
import { createDeps } from '../../src/create-deps.ts';
import type { AppDeps } from '../../src/deps.ts';
import { startSmtpCapture } from './smtp-capture.ts';
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

export async function signUp(
  t: { app: TestApp['app'] },
  body: Record<string, unknown> = {},
): Promise<SignedUp> {
  const email = (body.email as string) ?? uniqueEmail('owner');
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/auth/signup',
    payload: { organizationName: 'Test clinic', email, password: PASSWORD, ...body },
  });
  if (res.statusCode !== 201) throw new Error(`signup failed: ${res.statusCode} ${res.body}`);
  const j = res.json();
  return {
    organizationId: j.organizationId,
    userId: j.userId,
    accessToken: j.accessToken,
    refreshToken: j.refreshToken,
    email,
    headers: { authorization: `Bearer ${j.accessToken}` },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
