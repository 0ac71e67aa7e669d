import { generateKeyPairSync } from 'node:crypto';
import { loadConfig } from '@medstock/config';
import { createDatabase, createUploadStore } from '@medstock/db';
import { Redis } from 'ioredis';
import { buildApp } from './app.ts';
import { loadTokenKeys } from './lib/tokens.ts';
import { createMailer } from './mail/mailer.ts';

/**
 * The OpenAPI document as the routes declare it, built without touching a database or Redis
 * (connections are lazy and never used), so CI can compare it with the committed file.
 */
export async function openApiDocument(): Promise<string> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const config = loadConfig({
    DATABASE_URL: 'postgres://unused@127.0.0.1:1/unused',
    REDIS_URL: 'redis://127.0.0.1:1',
    JWT_PRIVATE_KEY: pem,
  });
  const database = createDatabase(config.DATABASE_URL, 1);
  const app = await buildApp(
    {
      config,
      database,
      redis: new Redis(config.REDIS_URL, { lazyConnect: true }),
      jobs: undefined as never,
      tokenKeys: await loadTokenKeys(pem, 'doc', 'doc', 60),
      mailer: createMailer(config),
      uploads: createUploadStore(config, database),
    },
    { logger: false },
  );
  await app.ready();
  const doc = JSON.stringify(app.swagger(), null, 2);
  await app.close();
  await database.close();
  return `${doc}\n`;
}
