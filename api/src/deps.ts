import type { AppConfig } from '@medstock/config';
import type { Database } from '@medstock/db';
import type { TenantJobData } from '@medstock/worker/queues.ts';
import type { Queue } from 'bullmq';
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
  /** The worker's tenant queue: the API enqueues recalculations and webhook deliveries on it. */
  queue: Queue<TenantJobData>;
  /** The Stripe client; null (or absent) when STRIPE_SECRET_KEY is empty: billing is off, no plan limits. */
  stripe?: Stripe | null;
  /** Outgoing mail: SMTP_URL, or .eml files in MAIL_DIR when that is empty. */
  mailer: Mailer;
}
