import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedStockedItems } from '../../api/test/support/bulk-fixtures.ts';
import { centralStore } from '../../api/test/support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import type { JobDefinition } from '../src/jobs/job-context.ts';
import { JOB_REGISTRY } from '../src/jobs/job-registry.ts';
import { type RunningWorker, startWorker } from '../src/worker.ts';
import { itemWithDemand, liveAlerts, move, waitFor } from './support/fault-fixtures.ts';

/** A receiver that never answers: it only counts the requests it holds open. */
function hangingReceiver() {
  const held = new Set<ServerResponse>();
  const stats = { received: 0, inFlight: 0, maxInFlight: 0 };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    stats.received++;
    stats.inFlight++;
    stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
    held.add(res);
    req.resume();
    res.on('close', () => {
      stats.inFlight--;
      held.delete(res);
    });
  });
  const release = () => {
    for (const r of held) r.destroy();
  };
  return { server, stats, release };
}

/** A receiver that records each delivery's event type, and answers `status`. */
function recordingReceiver(status: number) {
  const events: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      events.push(JSON.parse(Buffer.concat(chunks).toString('utf8')).type);
      res.writeHead(status).end();
    });
  });
  return { server, events };
}

const listen = async (s: Server) => {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
};

let t: TestApp;
let org: SignedUp;
let loc: string;
let worker: RunningWorker;
const hanging = hangingReceiver();
const healthy = recordingReceiver(200);
const failing = recordingReceiver(500);
const urls: Record<'hanging' | 'healthy' | 'failing', string> = { hanging: '', healthy: '', failing: '' };

// The full-run test pauses the run after its first committed batch until a webhook of that batch
// arrived (or 20 s passed), and records which happened.
let pauseFullRun = false;
let webhookDuringRun: boolean | undefined;
const pausingFullRun: JobDefinition = {
  description: 'the real full recalculation, paused after its first batch',
  async handle(ctx, job, token) {
    const paused = Object.create(job);
    paused.updateProgress = async (progress: unknown) => {
      if (pauseFullRun && webhookDuringRun === undefined) {
        webhookDuringRun = await waitFor(
          async () => healthy.events.includes('alert.opened'),
          'a webhook',
          20_000,
        )
          .then(() => true)
          .catch(() => false);
      }
      return job.updateProgress(progress as number);
    };
    return JOB_REGISTRY.recalculate.handle(ctx, paused, token);
  },
};

beforeAll(async () => {
  urls.hanging = await listen(hanging.server);
  urls.healthy = await listen(healthy.server);
  urls.failing = await listen(failing.server);
  // The API's configuration keeps the default retry schedule (8 attempts from 10 s); the worker's
  // says 2 attempts from 100 ms. The worker's must win.
  t = await startTestApp({
    QUEUE_PREFIX: `wh${randomBytes(4).toString('hex')}`,
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    WEBHOOK_TIMEOUT_MS: '20000',
    ENGINE_BATCH_SIZE: '20',
  });
  worker = await startWorker(
    {
      ...t.config,
      WEBHOOK_MAX_ATTEMPTS: 2,
      WEBHOOK_BACKOFF_BASE_MS: 100,
      WEBHOOK_CONCURRENCY: 4,
      WEBHOOK_ENDPOINT_CONCURRENCY: 2,
      WEBHOOK_ENDPOINT_BUSY_DELAY_MS: 200,
    },
    { registry: { ...JOB_REGISTRY, recalculate: pausingFullRun }, scheduleSyncMs: 3_600_000 },
  );
  org = await signUp(t);
  ({ locationId: loc } = await centralStore(t, org.headers));
});
afterAll(async () => {
  hanging.release();
  await worker?.close();
  await t?.close();
  await Promise.all(
    [hanging.server, healthy.server, failing.server].map((s) => new Promise((r) => s.close(r))),
  );
});

async function endpoint(url: string, events: string[]) {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: org.headers,
    payload: { url, events },
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json().id as string;
}

const attemptsOf = async (endpointId: string) =>
  (
    await withTenantDb(t.deps.database.db, org, (tx) =>
      tx.execute<{ n: number }>(sql`
        select count(*)::int as n from webhook_delivery_attempts a join webhook_deliveries d on d.id = a.delivery_id
         where d.endpoint_id = ${endpointId}`),
    )
  ).rows[0]!.n;

describe('webhook deliveries and slow receivers', () => {
  it('a hanging endpoint holds at most its own two slots: a healthy endpoint and a recalculation go first', async () => {
    const hangingId = await endpoint(urls.hanging, ['movement.created']);
    const healthyId = await endpoint(`${urls.healthy}/ok`, ['import.finished']);
    const item = await itemWithDemand(t, org, loc, 'HANG-1');
    for (let i = 0; i < 8; i++)
      await move(t, org, { type: 'receipt', itemId: item, locationId: loc, quantity: 1 });
    await waitFor(async () => hanging.stats.inFlight === 2, 'two deliveries held by the hanging endpoint');

    const ping = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${healthyId}/test`,
      headers: org.headers,
    });
    expect(ping.statusCode, ping.body).toBeLessThan(300);
    await move(t, org, { type: 'issue', itemId: item, locationId: loc, quantity: 8 });
    await waitFor(async () => healthy.events.includes('ping'), 'the healthy endpoint’s delivery');
    await waitFor(
      async () => (await liveAlerts(t, org, item, loc)).includes('stocked_out'),
      'the recalculation',
    );
    // Both happened while the hanging endpoint's first requests were still open: none of its
    // attempts has finished (each ends only at the 20-second timeout).
    expect(await attemptsOf(hangingId)).toBe(0);
    expect(hanging.stats.maxInFlight).toBe(2);
    expect(hanging.stats.received).toBe(2);
  });

  it('retries on the worker’s schedule, not the one of the process that enqueued', async () => {
    const failingId = await endpoint(`${urls.failing}/no`, ['import.finished']);
    const ping = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${failingId}/test`,
      headers: org.headers,
    });
    const deliveryId = ping.json().id as string;
    const final = await waitFor(
      async () => {
        const r = await withTenantDb(t.deps.database.db, org, (tx) =>
          tx.execute<{ status: string; attempts: number }>(
            sql`select status, attempts from webhook_deliveries where id = ${deliveryId}`,
          ),
        );
        return r.rows[0]?.status === 'failed' && r.rows[0];
      },
      'the delivery to fail after the worker’s two attempts',
      15_000,
    );
    expect(final.attempts).toBe(2);
    expect(failing.events).toEqual(['ping', 'ping']);
  });

  it('a full recalculation sends the webhooks of each batch as it commits, not when the run ends', async () => {
    await endpoint(`${urls.healthy}/alerts`, ['alert.opened']);
    await seedStockedItems(t, org.organizationId, [loc], 100, 60);
    // Every seeded item is out of stock with demand: each batch of 20 opens stocked-out alerts.
    await withTenantDb(t.deps.database.db, org, (tx) =>
      tx.execute(
        sql`update stock set on_hand = 0 where item_id in (select id from items where code like 'BULK-%')`,
      ),
    );
    pauseFullRun = true;
    await t.deps.jobs.add('recalculate', { tenantId: org.organizationId }, { jobId: 'full_per_batch' });
    await waitFor(
      async () => {
        const r = await withTenantDb(t.deps.database.db, org, (tx) =>
          tx.execute<{ status: string }>(
            sql`select status from recalc_runs order by started_at desc limit 1`,
          ),
        );
        return r.rows[0]?.status === 'done';
      },
      'the full run to finish',
      90_000,
    );
    expect(webhookDuringRun).toBe(true);
  }, 120_000);
});
