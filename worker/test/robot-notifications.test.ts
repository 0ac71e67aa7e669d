import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from '../../api/test/support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { type RunningWorker, startWorker } from '../src/index.ts';
import { waitFor } from './support/fault-fixtures.ts';

// Issue 11, the whole path with the real worker: a vital item issued to 0 → outbox → drain → the
// engine opens a critical stock-out alert → the drain wakes the notification job → the WeCom
// robot (a local HTTP server) receives the markdown message within seconds, not at the next minute.
let t: TestApp;
let org: SignedUp;
let loc: string;
let worker: RunningWorker;
let robot: Server;
const received: Array<{ url: string; body: { msgtype: string; markdown: { content: string } } }> = [];

beforeAll(async () => {
  robot = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"errcode":0,"errmsg":"ok"}');
    });
  });
  await new Promise<void>((r) => robot.listen(0, '127.0.0.1', r));
  // On-premises style: the robot receiver is on this machine.
  t = await startTestApp({
    QUEUE_PREFIX: `rb${randomBytes(4).toString('hex')}`,
    RECALC_OUTBOX_POLL_MS: '500',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
  });
  org = await signUp(t);
  ({ locationId: loc } = await centralStore(t, org.headers));
  worker = await startWorker(t.config, { scheduleSyncMs: 3_600_000 });
});
afterAll(async () => {
  await worker?.close();
  await t?.close();
  await new Promise((r) => robot?.close(r));
});

describe('robot message from a real stock-out', () => {
  it('reaches the WeCom robot within seconds of the issue that emptied the shelf', async () => {
    const port = (robot.address() as AddressInfo).port;
    const channel = await t.app.inject({
      method: 'POST',
      url: '/v1/robot-channels',
      headers: org.headers,
      payload: {
        kind: 'wecom',
        name: '手术室群',
        url: `http://127.0.0.1:${port}/cgi-bin/webhook/send?key=or-key`,
      },
    });
    expect(channel.statusCode, channel.body).toBe(201);
    const item = await insertItem(t, org.organizationId, { code: 'VITAL-1', ved: 'V' });
    for (const payload of [
      {
        type: 'receipt',
        itemId: item,
        locationId: loc,
        quantity: 3,
        lotNumber: 'V-1',
        expiryDate: '2031-06-30',
      },
      { type: 'issue', itemId: item, locationId: loc, quantity: 3 },
    ]) {
      const r = await t.app.inject({ method: 'POST', url: '/v1/movements', headers: org.headers, payload });
      expect(r.statusCode, r.body).toBe(201);
    }
    const hit = await waitFor(
      async () => received.find((r) => r.body.markdown.content.includes('VITAL-1')),
      'robot message',
      30_000,
    );
    expect(hit.url).toBe('/cgi-bin/webhook/send?key=or-key');
    expect(hit.body.msgtype).toBe('markdown');
    expect(hit.body.markdown.content).toContain('新的紧急预警：已缺货');
    expect(hit.body.markdown.content).toContain('已缺货：在库 0');
  }, 60_000);
});
