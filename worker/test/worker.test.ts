import { randomBytes } from 'node:crypto';
import type { loadConfig } from '@medstock/config';
import { workerConnection } from '@medstock/contracts';
import { Queue, QueueEvents } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import {
  assertJobRegistry,
  JOB_REGISTRY,
  type RunningWorker,
  staggerOffset,
  startWorker,
} from '../src/index.ts';

let t: TestApp;
let running: RunningWorker;
let config: ReturnType<typeof loadConfig>;

beforeAll(async () => {
  t = await startTestApp();
  config = { ...t.config, QUEUE_PREFIX: `w${randomBytes(4).toString('hex')}`, HOUSEKEEPING_EVERY_MS: 1000 };
});
afterAll(async () => {
  await running?.close();
  await t?.close();
});

describe('worker', () => {
  it('refuses to start when a registered job has no handler', () => {
    expect(() => assertJobRegistry({}, Object.keys(JOB_REGISTRY))).toThrow(
      /no handler registered for job\(s\): housekeeping/,
    );
    expect(() => assertJobRegistry(JOB_REGISTRY, Object.keys(JOB_REGISTRY))).not.toThrow();
  });

  it('staggers tenants across the period deterministically', () => {
    const a = staggerOffset('0f8fad5b-d9cb-469f-a165-70867728950e', 60_000);
    expect(a).toBe(staggerOffset('0f8fad5b-d9cb-469f-a165-70867728950e', 60_000));
    expect(a).toBeGreaterThanOrEqual(0);
    expect(a).toBeLessThan(60_000);
  });

  it('runs the scheduled per-tenant housekeeping job end to end', async () => {
    const org = await signUp(t);
    await t.deps.database.pool.query(
      `insert into control.sessions (user_id, organization_id, refresh_token_hash, expires_at) values ($1, $2, 'expired-x', now() - interval '1 day')`,
      [org.userId, org.organizationId],
    );
    running = await startWorker(config, { scheduleSyncMs: 500 });
    const deadline = Date.now() + 20_000;
    let stamped: Date | null = null;
    while (!stamped && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      const { rows } = await t.deps.database.pool.query(
        'select last_housekeeping_at from control.organizations where id = $1',
        [org.organizationId],
      );
      stamped = rows[0].last_housekeeping_at;
    }
    expect(stamped).not.toBeNull();
    const expired = await t.deps.database.pool.query(
      `select 1 from control.sessions where refresh_token_hash = 'expired-x'`,
    );
    expect(expired.rowCount).toBe(0);
  });

  it('fails a job with an unknown name unrecoverably (no retries)', async () => {
    const conn = workerConnection(config.REDIS_URL);
    const queue = new Queue('housekeeping', { connection: conn, prefix: config.QUEUE_PREFIX });
    const events = new QueueEvents('housekeeping', {
      connection: workerConnection(config.REDIS_URL),
      prefix: config.QUEUE_PREFIX,
    });
    await events.waitUntilReady();
    const job = await queue.add(
      'no-such-job',
      { tenantId: '0f8fad5b-d9cb-469f-a165-70867728950e' },
      { attempts: 5 },
    );
    await expect(job.waitUntilFinished(events, 10_000)).rejects.toThrow(/no handler for job 'no-such-job'/);
    const failed = await queue.getJob(job.id!);
    expect(failed?.attemptsMade).toBe(1);
    await events.close();
    await queue.close();
    await conn.quit();
  });
});
