import { createHmac, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { endpointUrlProblem } from '@medstock/contracts/webhooks/endpoint-address.ts';
import { emitEvent, withTenantDb } from '@medstock/db';
import { JOB_REGISTRY, type RunningWorker, startWorker } from '@medstock/worker';
import type { JobDefinition } from '@medstock/worker/jobs/job-context.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let org: SignedUp;
let running: RunningWorker;
let server: http.Server;
let base: string;
let uploadDir: string;
let locationId: string;
let itemId: string;

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}
const received: Received[] = [];
/** Status codes each path answers, in order; the last one repeats. */
const plans = new Map<string, number[]>();

const noop: JobDefinition = { description: 'not under test here', handle: async () => ({}) };

/** The receiver's check, written from the documentation only (not the server's code). */
function verify(secret: string, rawBody: string, header: string): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const expected = createHmac('sha256', secret).update(`${parts.t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1 ?? '', 'hex');
  return (
    given.length === expected.length &&
    timingSafeEqual(given, expected) &&
    Math.abs(Date.now() / 1000 - Number(parts.t)) < 300
  );
}

async function until<T>(
  what: string,
  fn: () => Promise<T | undefined | false> | T | undefined | false,
  ms = 20_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function createEndpoint(path: string, events: string[], extra: Record<string, unknown> = {}) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/webhooks',
    headers: org.headers,
    payload: { url: `${base}${path}`, events, ...extra },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string; secretHint: string };
}

const deliveries = async (endpointId: string) =>
  (
    await t.app.inject({ method: 'GET', url: `/v1/webhooks/${endpointId}/deliveries`, headers: org.headers })
  ).json().items as Array<{
    id: string;
    eventId: string;
    eventType: string;
    status: string;
    attempts: number;
    lastStatusCode: number | null;
  }>;

const receipt = (quantity = 5) =>
  t.app.inject({
    method: 'POST',
    url: '/v1/movements',
    headers: org.headers,
    payload: { type: 'receipt', itemId, locationId, quantity },
  });

beforeAll(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const path = req.url ?? '/';
      received.push({ path, headers: req.headers, body, at: Date.now() });
      const plan = plans.get(path) ?? [200];
      const status = plan.length > 1 ? plan.shift()! : plan[0]!;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'not now');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  uploadDir = mkdtempSync(join(tmpdir(), 'medstock-webhooks-test-'));
  t = await startTestApp({
    UPLOAD_DIR: uploadDir,
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    WEBHOOK_BACKOFF_BASE_MS: '150',
    WEBHOOK_MAX_ATTEMPTS: '3',
    WEBHOOK_TIMEOUT_MS: '2000',
    WEBHOOK_SWEEP_EVERY_MS: '1000',
  });
  org = await signUp(t, { organizationName: 'Webhook clinic' });
  running = await startWorker(t.config, {
    registry: { ...JOB_REGISTRY, recalculate: noop, 'recalculate-drain': noop, housekeeping: noop },
  });
  locationId = (await centralStore(t, org.headers)).locationId;
  itemId = await insertItem(t, org.organizationId, { code: 'HOOK-1' });
});
afterAll(async () => {
  await running?.close();
  await t?.close();
  await new Promise((r) => server?.close(r));
  rmSync(uploadDir, { recursive: true, force: true });
});

describe('outbound webhooks', () => {
  it('shows the signing secret once and refuses URLs into private networks unless allowed', async () => {
    const ep = await createEndpoint('/once', ['movement.created'], { description: 'ERP' });
    expect(ep.secret).toMatch(/^whsec_[A-Za-z0-9_-]{32}$/);
    expect(ep.secretHint).toBe(`whsec_…${ep.secret.slice(-4)}`);
    const got = await t.app.inject({ method: 'GET', url: `/v1/webhooks/${ep.id}`, headers: org.headers });
    expect(got.json()).toMatchObject({
      id: ep.id,
      url: `${base}/once`,
      events: ['movement.created'],
      active: true,
      description: 'ERP',
    });
    expect(got.body).not.toContain(ep.secret);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/webhooks', headers: org.headers })).body,
    ).not.toContain(ep.secret);
    const badEvent = await t.app.inject({
      method: 'POST',
      url: '/v1/webhooks',
      headers: org.headers,
      payload: { url: `${base}/x`, events: ['stock.exploded'] },
    });
    expect(badEvent.statusCode).toBe(400);
    expect(endpointUrlProblem('http://169.254.169.254/latest', false)).toBe(
      'points to a private or loopback address',
    );
    expect(endpointUrlProblem('http://10.1.2.3/hook', false)).toBe('points to a private or loopback address');
    expect(endpointUrlProblem('http://localhost:8080/hook', false)).toBe(
      'points to a private or loopback address',
    );
    expect(endpointUrlProblem('https://erp.example.org/hook', false)).toBeNull();
    expect(endpointUrlProblem('ftp://erp.example.org/hook', false)).toBe('must be an http or https URL');
    await t.app.inject({ method: 'DELETE', url: `/v1/webhooks/${ep.id}`, headers: org.headers });
    expect(
      (await t.app.inject({ method: 'GET', url: `/v1/webhooks/${ep.id}`, headers: org.headers })).statusCode,
    ).toBe(404);
  });

  it('signs deliveries: the documented HMAC verifies, a tampered body does not', async () => {
    const ep = await createEndpoint('/signed', ['movement.created']);
    const test = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${ep.id}/test`,
      headers: org.headers,
    });
    expect(test.statusCode).toBe(202);
    expect(test.json()).toMatchObject({ endpointId: ep.id, eventType: 'ping', status: 'pending' });
    const hit = await until('the ping', () => received.find((r) => r.path === '/signed'));
    const event = JSON.parse(hit.body);
    expect(event).toMatchObject({ id: test.json().eventId, type: 'ping', data: { endpointId: ep.id } });
    expect(hit.headers['medstock-event-id']).toBe(event.id);
    expect(hit.headers['medstock-event-type']).toBe('ping');
    expect(hit.headers['content-type']).toBe('application/json');
    const signature = String(hit.headers['medstock-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verify(ep.secret, hit.body, signature)).toBe(true);
    expect(verify(ep.secret, hit.body.replace('ping', 'pong'), signature)).toBe(false);
    expect(verify(`${ep.secret}x`, hit.body, signature)).toBe(false);

    // After a rotation only the new secret verifies.
    const rotated = (
      await t.app.inject({ method: 'POST', url: `/v1/webhooks/${ep.id}/rotate-secret`, headers: org.headers })
    ).json();
    expect(rotated.secret).not.toBe(ep.secret);
    expect(rotated.secretRotatedAt).not.toBeNull();
    await t.app.inject({ method: 'POST', url: `/v1/webhooks/${ep.id}/test`, headers: org.headers });
    const second = await until('the second ping', () => received.filter((r) => r.path === '/signed')[1]);
    expect(verify(rotated.secret, second.body, String(second.headers['medstock-signature']))).toBe(true);
    expect(verify(ep.secret, second.body, String(second.headers['medstock-signature']))).toBe(false);
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/${ep.id}`,
      headers: org.headers,
      payload: { active: false },
    });
  });

  it('retries with exponential backoff until the endpoint answers 2xx; the log shows every attempt', async () => {
    plans.set('/flaky', [500, 503, 200]);
    const ep = await createEndpoint('/flaky', ['movement.created']);
    const res = await receipt();
    expect(res.statusCode, res.body).toBe(201);
    const [delivery] = await until('the delivery to succeed', async () => {
      const d = await deliveries(ep.id);
      return d[0]?.status === 'succeeded' && d;
    });
    expect(delivery).toMatchObject({
      eventType: 'movement.created',
      status: 'succeeded',
      attempts: 3,
      lastStatusCode: 200,
    });
    const detail = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/webhooks/${ep.id}/deliveries/${delivery!.id}`,
        headers: org.headers,
      })
    ).json();
    expect(
      detail.attemptLog.map((a: { attempt: number; statusCode: number }) => [a.attempt, a.statusCode]),
    ).toEqual([
      [1, 500],
      [2, 503],
      [3, 200],
    ]);
    expect(detail.attemptLog[0].error).toBe('HTTP 500: not now');
    expect(detail.body).toMatchObject({ id: delivery!.eventId, type: 'movement.created' });
    expect(detail.deliveredAt).not.toBeNull();
    const hits = received.filter((r) => r.path === '/flaky');
    expect(hits).toHaveLength(3);
    expect(new Set(hits.map((h) => h.headers['medstock-event-id']))).toEqual(new Set([delivery!.eventId]));
    // Backoff: 150 ms before the first retry, 300 ms before the second.
    expect(hits[1]!.at - hits[0]!.at).toBeGreaterThanOrEqual(140);
    expect(hits[2]!.at - hits[1]!.at).toBeGreaterThanOrEqual(290);
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/${ep.id}`,
      headers: org.headers,
      payload: { active: false },
    });
  });

  it('gives up after the last attempt, and redelivers on request', async () => {
    plans.set('/down', [500]);
    const ep = await createEndpoint('/down', ['movement.created']);
    await receipt();
    const [failed] = await until('the delivery to fail', async () => {
      const d = await deliveries(ep.id);
      return d[0]?.status === 'failed' && d;
    });
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, lastStatusCode: 500 });
    const failedList = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/webhooks/${ep.id}/deliveries?status=failed`,
        headers: org.headers,
      })
    ).json();
    expect(failedList.items.map((d: { id: string }) => d.id)).toEqual([failed!.id]);

    plans.set('/down', [200]);
    const again = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${ep.id}/deliveries/${failed!.id}/redeliver`,
      headers: org.headers,
    });
    expect(again.statusCode, again.body).toBe(202);
    const [done] = await until('the redelivery', async () => {
      const d = await deliveries(ep.id);
      return d[0]?.status === 'succeeded' && d;
    });
    expect(done).toMatchObject({ id: failed!.id, status: 'succeeded', attempts: 4, lastStatusCode: 200 });
    const hits = received.filter((r) => r.path === '/down');
    expect(hits).toHaveLength(4);
    expect(hits[3]!.headers['medstock-event-id']).toBe(failed!.eventId);
    const unknown = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/${ep.id}/deliveries/00000000-0000-4000-8000-000000000000/redeliver`,
      headers: org.headers,
    });
    expect(unknown.statusCode).toBe(404);
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/${ep.id}`,
      headers: org.headers,
      payload: { active: false },
    });
  });

  it('sends only the subscribed events, to active endpoints, including import.finished', async () => {
    const imports = await createEndpoint('/imports', ['import.finished']);
    const inactive = await createEndpoint('/inactive', ['movement.created', 'import.finished'], {
      active: false,
    });
    const movements = await createEndpoint('/movements', ['movement.created']);
    await receipt(2);
    await until('the movement event', () => received.find((r) => r.path === '/movements'));

    const csv =
      'date,site_code,location_code,item_code,type,quantity\n2024-05-01,MAIN,CENTRAL,HOOK-1,issue,3\n';
    const up = await t.app.inject({
      method: 'POST',
      url: '/v1/imports?kind=movements',
      headers: { ...org.headers, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(up.statusCode).toBe(202);
    const hit = await until('the import.finished event', () => received.find((r) => r.path === '/imports'));
    expect(JSON.parse(hit.body)).toMatchObject({
      type: 'import.finished',
      data: {
        importId: up.json().id,
        kind: 'movements',
        status: 'succeeded',
        totalRows: 1,
        appliedRows: 1,
        errorCount: 0,
      },
    });
    expect(verify(imports.secret, hit.body, String(hit.headers['medstock-signature']))).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(received.filter((r) => r.path === '/imports').map((r) => JSON.parse(r.body).type)).toEqual([
      'import.finished',
    ]);
    expect(received.filter((r) => r.path === '/movements').map((r) => JSON.parse(r.body).type)).toEqual([
      'movement.created',
    ]);
    expect(received.filter((r) => r.path === '/inactive')).toHaveLength(0);
    expect(await deliveries(inactive.id)).toEqual([]);
    for (const ep of [imports, movements])
      await t.app.inject({
        method: 'PATCH',
        url: `/v1/webhooks/${ep.id}`,
        headers: org.headers,
        payload: { active: false },
      });
  });

  it('the sweeper sends a pending delivery whose enqueue was lost', async () => {
    const ep = await createEndpoint('/swept', ['alert.opened']);
    // An event written by a process that died before enqueueing its deliveries.
    const eventId = await withTenantDb(t.deps.database.db, org, async (tx) => {
      const e = await emitEvent(tx, 'alert.opened', {
        alertId: '00000000-0000-4000-8000-000000000001',
        type: 'stocked_out',
      });
      expect(e.deliveryIds).toHaveLength(1);
      return e.eventId;
    });
    const hit = await until('the swept delivery', () => received.find((r) => r.path === '/swept'), 30_000);
    expect(hit.headers['medstock-event-id']).toBe(eventId);
    await until('the log to say succeeded', async () => (await deliveries(ep.id))[0]?.status === 'succeeded');
  });
});
