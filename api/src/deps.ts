import type { AppConfig } from '@medstock/config';
import type { JobProducer } from '@medstock/contracts';
import type { Database, UploadStore } from '@medstock/db';
import type { Redis } from 'ioredis';
import type { Stripe } from './billing/stripe-client.ts';
import type { TokenKeys } from './lib/tokens.ts';
import type { Mailer } from './mail/mailer.ts';

/** Everything the API needs from outside, made once by server.ts (or a test) and passed in. */
export interface AppDeps {
  config: AppConfig;
  database: Database;
  redis: Redis;
  tokenKeys: TokenKeys;
  /**
   * Enqueues the worker's jobs (recalculation drains and full runs, imports, backtests, webhook
   * deliveries) by the contracts in @medstock/contracts; fails fast while Redis is down.
   */
  jobs: JobProducer;
  /** The Stripe client; null (or absent) when STRIPE_SECRET_KEY is empty: billing is off, no plan limits. */
  stripe?: Stripe | null;
  /** Outgoing mail: SMTP_URL, or .eml files in MAIL_DIR when that is empty. */
  mailer: Mailer;
  /** Where uploaded import files wait for the worker (PostgreSQL): readable from every process. */
  uploads: UploadStore;
}
