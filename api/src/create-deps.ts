import type { AppConfig } from '@medstock/config';
import { createDatabase } from '@medstock/db';
import { queueConnection, tenantQueue } from '@medstock/worker/queues.ts';
import { Redis } from 'ioredis';
import { createStripeClient } from './billing/stripe-client.ts';
import type { AppDeps } from './deps.ts';
import { loadTokenKeys } from './lib/tokens.ts';
import { createMailer } from './mail/mailer.ts';

export async function createDeps(config: AppConfig): Promise<AppDeps & { close(): Promise<void> }> {
  const database = createDatabase(config.DATABASE_URL, config.PG_POOL_MAX);
  const redis = new Redis(config.REDIS_URL, { maxRetriesPerRequest: 2, lazyConnect: false });
  redis.on('error', () => {});
  const tokenKeys = await loadTokenKeys(
    config.JWT_PRIVATE_KEY,
    config.JWT_KEY_ID,
    config.JWT_ISSUER,
    config.ACCESS_TOKEN_TTL_SECONDS,
  );
  const queueRedis = queueConnection(config);
  const queue = tenantQueue(config, queueRedis);
  const mailer = createMailer(config);
  return {
    config,
    database,
    redis,
    tokenKeys,
    queue,
    stripe: createStripeClient(config),
    mailer,
    close: async () => {
      await queue.close().catch(() => {});
      await Promise.allSettled([database.close(), redis.quit(), queueRedis.quit(), mailer.close()]);
    },
  };
}
