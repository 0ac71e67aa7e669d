import type { AppConfig } from '@medstock/config';
import { JobProducer, producerConnection } from '@medstock/contracts';
import { attachCells, createDatabase, createUploadStore } from '@medstock/db';
import { createStripeClient } from './billing/stripe-client.ts';
import type { AppDeps } from './deps.ts';
import { loadTokenKeys } from './lib/tokens.ts';
import { createMailer } from './mail/mailer.ts';

export async function createDeps(config: AppConfig): Promise<AppDeps & { close(): Promise<void> }> {
  const database = createDatabase(config.DATABASE_URL, config.PG_POOL_MAX);
  // Tenant transactions run on their organisation's cell: one pool per cell (see cellsOf).
  const cells = attachCells(database, { defaultCell: config.DEFAULT_CELL, poolMax: config.PG_POOL_MAX });
  // Rate limits and the queue producer must never make a request wait for Redis: both use
  // fail-fast connections (no offline queue, short timeouts), unlike the worker's.
  const redis = producerConnection(config.REDIS_URL);
  const tokenKeys = await loadTokenKeys(
    config.JWT_PRIVATE_KEY,
    config.JWT_KEY_ID,
    config.JWT_ISSUER,
    config.ACCESS_TOKEN_TTL_SECONDS,
  );
  const queueRedis = producerConnection(config.REDIS_URL);
  const jobs = new JobProducer(config, { connection: queueRedis });
  const mailer = createMailer(config);
  return {
    config,
    database,
    redis,
    tokenKeys,
    jobs,
    stripe: createStripeClient(config),
    mailer,
    uploads: createUploadStore(config, database),
    close: async () => {
      await jobs.close();
      await cells.close();
      await Promise.allSettled([database.close(), redis.quit(), queueRedis.quit(), mailer.close()]);
    },
  };
}
