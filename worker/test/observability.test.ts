import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { tenantSchema } from '@medstock/db';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { type RestartableService, startOwnRedis } from '../../infra/test/restartable-services.ts';
import { type RunningWorker, startWorker } from '../src/index.ts';

/**
 * Observability against the real API and worker (test PostgreSQL, a Redis of this file's own so
 * it can be stopped): /metrics of both, the worker's health server, job logs carrying the request
 * id, and the alert rules and dashboard in infra/observability/ naming only exported metrics.
 */
const TOKEN = 'metrics-token-for-this-test';
const auth = { authorization: `Bearer ${TOKEN}` };
let redis: RestartableService;
let t: TestApp;
let running: RunningWorker;
let org: SignedUp;
const logLines: Record<string, unknown>[] = [];
/** A webhook receiver that always answers 500. */
let failingReceiver: Server;

beforeAll(async () => {
  redis = await startOwnRedis('observability-redis');
  failingReceiver = createServer((req, res) => req.resume().on('end', () => res.writeHead(500).end()));
  await new Promise<void>((r) => failingReceiver.listen(0, '127.0.0.1', r));
  t = await startTestApp({
    REDIS_URL: redis.url,
    METRICS_TOKEN: TOKEN,
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    WEBHOOK_BACKOFF_BASE_MS: '100',
    WEBHOOK_MAX_ATTEMPTS: '2',
  });
  org = await signUp(t);
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  running = await startWorker({ ...t.config, WORKER_HTTP_PORT: 0 }, { log: pino({ level: 'debug' }, sink) });
});
afterAll(async () => {
  await running?.close();
  await t?.close();
  await redis?.stop();
  await new Promise((r) => failingReceiver?.close(r));
});

const worker = (path: string, headers: Record<string, string> = auth) =>
  fetch(`http://127.0.0.1:${running.http!.port}${path}`, { headers });

async function scrapeWorker(): Promise<string> {
  const res = await worker('/metrics');
  expect(res.status).toBe(200);
  return res.text();
}

async function scrapeApi(): Promise<string> {
  const res = await t.app.inject({ url: '/metrics', headers: auth });
  expect(res.statusCode).toBe(200);
  return res.body;
}

/** The value of the sample `name{labels…}` (every given label must match), or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const m = line.match(/^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/);
    if (!m || m[1] !== name) continue;
    const have = Object.fromEntries(
      [...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]),
    );
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(m[3]);
  }
  return undefined;
}

/** Every series name a scrape declares (`# TYPE`), histograms with their _bucket, _sum and _count. */
function declaredNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(m[1]!);
    if (m[2] === 'histogram' || m[2] === 'summary')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(m[1]! + suffix);
  }
  return names;
}

/** Polls until `ready` holds (a job runs in the background), at most `ms`; the caller asserts after. */
async function eventually(ready: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ready()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
}

describe('API /metrics', () => {
  it('counts requests by route template and status (never the raw URL), behind the token, outside the OpenAPI document', async () => {
    const id = randomUUID();
    const miss = await t.app.inject({ url: `/v1/items/${id}`, headers: org.headers });
    expect(miss.statusCode).toBe(404);

    const anonymous = await t.app.inject({ url: '/metrics' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe('metrics_unauthorized');
    const wrong = await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer not-the-token' } });
    expect(wrong.statusCode).toBe(401);

    const text = await scrapeApi();
    const labels = { method: 'GET', route: '/v1/items/:id', status: '404' };
    expect(sample(text, 'medstock_http_request_duration_seconds_count', labels)).toBe(1);
    expect(sample(text, 'medstock_http_request_duration_seconds_bucket', { ...labels, le: '+Inf' })).toBe(1);
    expect(text).not.toContain(id);
    expect(sample(text, 'medstock_db_pool_max_connections', { cell: 'main' })).toBe(t.config.PG_POOL_MAX);
    expect(sample(text, 'medstock_db_pool_connections', { cell: 'main' })).toBeGreaterThan(0);

    const doc = (await t.app.inject({ url: '/openapi.json' })).json();
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
  });

  it('is not served at all without METRICS_TOKEN (the API port faces the clients)', async () => {
    const plain = await startTestApp({ REDIS_URL: redis.url });
    try {
      const res = await plain.app.inject({ url: '/metrics', headers: auth });
      expect(res.statusCode).not.toBe(200);
      expect(res.body).not.toContain('medstock_http_request_duration_seconds');
    } finally {
      await plain.close();
    }
  });
});

describe('worker /metrics and logs', () => {
  it('needs the token too', async () => {
    expect((await worker('/metrics', {})).status).toBe(401);
  });

  it('a job a request caused moves the job counters and logs tenant, job id, job name and the request id', async () => {
    const completed = { job: 'recalculate', outcome: 'completed' };
    const before = sample(await scrapeWorker(), 'medstock_job_duration_seconds_count', completed) ?? 0;
    const requestId = `obs-${randomUUID()}`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/engine/recalculate',
      headers: { ...org.headers, 'x-request-id': requestId },
      payload: {},
    });
    expect(res.statusCode).toBe(202);
    expect(res.headers['x-request-id']).toBe(requestId);
    const { jobId } = res.json();

    let text = '';
    await eventually(async () => {
      text = await scrapeWorker();
      return (sample(text, 'medstock_job_duration_seconds_count', completed) ?? 0) > before;
    });
    expect(sample(text, 'medstock_job_duration_seconds_count', completed)).toBe(before + 1);
    expect(sample(text, 'medstock_job_wait_seconds_count', { job: 'recalculate' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'medstock_worker_running', { queue: 'recalculate' })).toBe(1);
    for (const state of ['waiting', 'active', 'delayed', 'failed'])
      expect(sample(text, 'medstock_queue_jobs', { queue: 'recalculate', state })).toBeGreaterThanOrEqual(0);

    const line = logLines.find((l) => l.requestId === requestId && l.msg === 'job completed');
    expect(line).toMatchObject({ job: 'recalculate', jobId, tenantId: org.organizationId, requestId });
  });

  it('counts webhook delivery attempts that fail and the delivery that gives up', async () => {
    const port = (failingReceiver.address() as AddressInfo).port;
    const endpoint = await t.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: org.headers,
      payload: { url: `http://127.0.0.1:${port}/hook`, events: ['movement.created'] },
    });
    expect(endpoint.statusCode, endpoint.body).toBe(201);
    const { locationId } = await centralStore(t, org.headers);
    const itemId = await insertItem(t, org.organizationId, { code: 'OBS-HOOK-1' });
    const receipt = await t.app.inject({
      method: 'POST',
      url: '/v1/movements',
      headers: org.headers,
      payload: { type: 'receipt', itemId, locationId, quantity: 5 },
    });
    expect(receipt.statusCode, receipt.body).toBe(201);

    let text = '';
    await eventually(async () => {
      text = await scrapeWorker();
      return (sample(text, 'medstock_webhook_delivery_attempts_total', { outcome: 'failed' }) ?? 0) >= 1;
    });
    // Attempt 1 of WEBHOOK_MAX_ATTEMPTS=2 fails and will retry; attempt 2 fails and gives up.
    expect(sample(text, 'medstock_webhook_delivery_attempts_total', { outcome: 'retrying' })).toBe(1);
    expect(sample(text, 'medstock_webhook_delivery_attempts_total', { outcome: 'failed' })).toBe(1);
  });

  it('recalculation lag is the age of the oldest item-location waiting, per cell', async () => {
    const schema = tenantSchema(org.organizationId);
    const itemId = randomUUID();
    // Deferred far ahead (as after failed attempts), so no drain takes it while we look.
    await t.deps.database.pool.query(
      `insert into "${schema}".recalculation_outbox (item_id, location_id, requested_at, due_at, attempts)
       values ($1, $2, now() - interval '2 hours', now() + interval '1 day', 3)`,
      [itemId, randomUUID()],
    );
    const stuck = await scrapeWorker();
    expect(sample(stuck, 'medstock_recalculation_lag_seconds', { cell: 'main' })).toBeGreaterThanOrEqual(
      7200,
    );
    expect(
      sample(stuck, 'medstock_recalculation_pending_item_locations', { cell: 'main' }),
    ).toBeGreaterThanOrEqual(1);

    await t.deps.database.pool.query(`delete from "${schema}".recalculation_outbox where item_id = $1`, [
      itemId,
    ]);
    const cleared = await scrapeWorker();
    expect(sample(cleared, 'medstock_recalculation_lag_seconds', { cell: 'main' })).toBeLessThan(7200);
  });
});

describe('infra/observability', () => {
  it('the alert rules and the dashboard name only metrics the API or the worker export', async () => {
    const rules = parseYaml(
      readFileSync(new URL('../../infra/observability/prometheus-rules.yml', import.meta.url), 'utf8'),
    );
    const dashboard = JSON.parse(
      readFileSync(new URL('../../infra/observability/grafana-dashboard.json', import.meta.url), 'utf8'),
    );
    const ruleExprs: string[] = rules.groups.flatMap((g: { rules: { expr: string }[] }) =>
      g.rules.map((r) => r.expr),
    );
    const panelExprs: string[] = dashboard.panels.flatMap((p: { targets: { expr: string }[] }) =>
      p.targets.map((x) => x.expr),
    );
    const alerts = rules.groups.flatMap((g: { rules: { alert: string }[] }) => g.rules.map((r) => r.alert));
    expect(alerts).toEqual(
      expect.arrayContaining([
        'MedstockApiErrorRate',
        'MedstockApiLatencyP95',
        'MedstockQueueBacklogGrowing',
        'MedstockRecalculationLag',
        'MedstockWebhookFailures',
        'MedstockDbPoolSaturated',
        'MedstockWorkerDown',
      ]),
    );

    // Series names in PromQL: our own, Node's process metrics, and Prometheus's `up`.
    const referenced = (exprs: string[]) =>
      new Set(
        exprs.flatMap((e) =>
          [...e.matchAll(/\b(medstock_\w+|process_\w+|nodejs_\w+|up)\b/g)].map((m) => m[1]!),
        ),
      );
    const exported = new Set([...declaredNames(await scrapeApi()), ...declaredNames(await scrapeWorker())]);
    exported.add('up'); // written by Prometheus for every scrape target
    for (const exprs of [ruleExprs, panelExprs]) {
      const names = referenced(exprs);
      expect(names.size).toBeGreaterThan(5);
      expect([...names].filter((n) => !exported.has(n))).toEqual([]);
    }
  });
});

describe('worker health', () => {
  it('healthz answers; readyz is 503 naming Redis while it is stopped, and 200 again once it is back', async () => {
    expect((await worker('/healthz', {})).status).toBe(200);
    const up = await worker('/readyz', {});
    expect(up.status).toBe(200);
    expect(await up.json()).toEqual({ status: 'ok', checks: { postgres: 'ok', redis: 'ok', workers: 'ok' } });

    await redis.stop();
    let down: Response | undefined;
    await eventually(async () => {
      down = await worker('/readyz', {});
      return down.status === 503;
    });
    expect(down?.status).toBe(503);
    const body = (await down!.json()) as { checks: Record<string, string> };
    expect(body.checks.redis).toMatch(/^error/);
    expect(body.checks.postgres).toBe('ok');
    expect((await worker('/healthz', {})).status).toBe(200);

    await redis.start();
    await eventually(async () => (await worker('/readyz', {})).status === 200);
    expect((await worker('/readyz', {})).status).toBe(200);
  });
});
