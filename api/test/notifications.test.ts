import { createHmac, randomBytes } from 'node:crypto';
import dns from 'node:dns';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseSecretKeys } from '@medstock/config';
import { resealRobotSecrets } from '@medstock/db';
import { createWorkerMailer } from '@medstock/worker/notifications/mailer.ts';
import { runNotifications } from '@medstock/worker/notifications/run-notifications.ts';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type AddedMember, addMember } from './support/members.ts';
import { insertSupplier, tenantQuery } from './support/purchasing-fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Notifications (issue 11): the bell from the alert feed (per-user read marker, site limits),
 * the organisation's settings, WeCom/DingTalk robot channels (sealed, SSRF rules, all-sites
 * admins) and what the worker sends — robot messages received by a local HTTP server, with
 * DingTalk's signature checked, retries and quiet hours; daily digests read from the local SMTP
 * server, per role and site limits.
 */
type Headers = Record<string, string>;
let t: TestApp;
let owner: SignedUp;
let siteA: string;
let siteB: string;
let locA: string;
let locB: string;
let itemA: string;
let itemB: string;
let storekeeperA: AddedMember;
let purchaser: AddedMember;
let viewer: AddedMember;
let optedOut: AddedMember;
let adminA: AddedMember;

let robot: Server;
let robotPort: number;
/** What a robot receives: WeCom's or DingTalk's markdown message. */
type RobotBody = { msgtype: string; markdown: { content: string; title: string; text: string } };
const received: Array<{ url: string; body: RobotBody }> = [];
let answer = '{"errcode":0,"errmsg":"ok"}';

const get = (url: string, headers: Headers) => t.app.inject({ method: 'GET', url, headers });
const send = (method: 'POST' | 'PUT' | 'PATCH', url: string, headers: Headers, payload: unknown) =>
  t.app.inject({
    method,
    url,
    headers: { ...headers, 'accept-language': 'zh-CN' },
    payload: payload as never,
  });
const q = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  tenantQuery<T>(t, owner.organizationId, query);

/** What the engine writes when an alert opens: the alert and its feed entry. */
async function openAlert(loc: string, site: string, item: string, severity: string, type = 'stockout_risk') {
  const explanation = {
    rule: type,
    ruleVersion: 1,
    threshold: {},
    inputs: {},
    formula: '',
    substituted: '',
    text: { zh: '7 天内缺货概率 92%', en: '92% chance of a stockout within 7 days' },
  };
  const action = { kind: 'review', text: { zh: '请尽快补货', en: 'Reorder now' } };
  const [a] = await q<{ id: string }>(sql`
    insert into alerts (type, item_id, location_id, site_id, severity, rule_version, explanation, action)
    values (${type}, ${item}, ${loc}, ${site}, ${severity}, 1, ${JSON.stringify(explanation)}::jsonb, ${JSON.stringify(action)}::jsonb)
    returning id`);
  await q(sql`insert into alert_feed (alert_id, kind) values (${a!.id}, 'opened')`);
  return a!.id;
}

// The robots' host names resolve, through a DNS of our own, to the local receiver — once the
// channels are registered (a name that does not resolve yet is accepted; delivery checks again).
const ROBOT_HOSTS = new Set(['wecom-robot.invalid', 'dingtalk-robot.invalid']);
let robotNamesResolve = false;
function robotDns() {
  const real = dns.promises.lookup.bind(dns.promises);
  vi.spyOn(dns.promises, 'lookup').mockImplementation((async (name: string, options: unknown) => {
    if (!ROBOT_HOSTS.has(name)) return real(name, options as never);
    if (!robotNamesResolve) throw Object.assign(new Error('not found'), { code: 'ENOTFOUND' });
    return [{ address: '127.0.0.1', family: 4 }];
  }) as never);
}

/** One worker run, as the scheduled job does it; `allowPrivate` lets it reach the local receiver. */
const mailer = () => createWorkerMailer(t.config);
const run = (opts: { allowPrivate?: boolean; now?: Date; secretsKeys?: string } = {}) =>
  runNotifications(
    {
      ...t.config,
      WEBHOOK_ALLOW_PRIVATE_URLS: opts.allowPrivate ?? true,
      SECRETS_KEYS: opts.secretsKeys ?? t.config.SECRETS_KEYS,
    },
    t.deps.database,
    mailer(),
    owner.organizationId,
    opts.now,
  );

const SETTINGS = {
  digestEnabled: true,
  digestHour: 0,
  digestRoles: ['owner', 'purchaser', 'storekeeper'],
  expiryDays: 30,
  quietHours: null,
  criticalInQuietHours: true,
  robotLanguage: 'both',
};

beforeAll(async () => {
  robot = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      received.push({ url: req.url ?? '', body: JSON.parse(body) });
      res.writeHead(200, { 'content-type': 'application/json' }).end(answer);
    });
  });
  await new Promise<void>((r) => robot.listen(0, '127.0.0.1', r));
  robotPort = (robot.address() as AddressInfo).port;
  robotDns();

  t = await startTestApp();
  owner = await signUp(t);
  ({ siteId: siteA, locationId: locA } = await centralStore(t, owner.headers));
  const b = await t.app.inject({
    method: 'POST',
    url: '/v1/sites',
    headers: owner.headers,
    payload: { code: 'NB', name: '东院' },
  });
  expect(b.statusCode, b.body).toBe(201);
  siteB = b.json().id;
  ({ locationId: locB } = await centralStore(t, owner.headers, siteB));
  itemA = await insertItem(t, owner.organizationId, { code: 'NT-A' });
  itemB = await insertItem(t, owner.organizationId, { code: 'NT-B' });
  storekeeperA = await addMember(t, owner.headers, 'storekeeper', [siteA]);
  purchaser = await addMember(t, owner.headers, 'purchaser');
  viewer = await addMember(t, owner.headers, 'viewer');
  optedOut = await addMember(t, owner.headers, 'storekeeper');
  adminA = await addMember(t, owner.headers, 'admin', [siteA]);
  await t.deps.database.pool.query(`update control.users set locale = 'en' where id = $1`, [purchaser.id]);
});
afterAll(async () => {
  vi.restoreAllMocks();
  await t?.close();
  await new Promise((r) => robot?.close(r));
});

describe('the bell', () => {
  it('counts unread feed entries per user and at their sites only; the marker moves forward only', async () => {
    await openAlert(locA, siteA, itemA, 'high');
    await openAlert(locB, siteB, itemB, 'medium');
    const all = (await get('/v1/notifications', owner.headers)).json();
    expect(all.unread).toBe(2);
    expect(all.items.map((i: { itemCode: string }) => i.itemCode)).toEqual(['NT-B', 'NT-A']);
    expect(all.items.every((i: { unread: boolean }) => i.unread)).toBe(true);
    const limited = (await get('/v1/notifications', storekeeperA.headers)).json();
    expect(limited.unread).toBe(1);
    expect(limited.items.map((i: { siteId: string }) => i.siteId)).toEqual([siteA]);

    const read = await send('POST', '/v1/notifications/read', owner.headers, {});
    expect(read.statusCode, read.body).toBe(200);
    expect(read.json().unread).toBe(0);
    // Someone else's marker is their own.
    expect((await get('/v1/notifications', storekeeperA.headers)).json().unread).toBe(1);
    const newest = read.json().lastReadId;
    await openAlert(locA, siteA, itemB, 'low', 'overstock');
    const after = (await get('/v1/notifications', owner.headers)).json();
    expect(after.unread).toBe(1);
    expect(after.items[0].unread).toBe(true);
    expect(after.items[1].unread).toBe(false);
    // A stale tab asking to mark less read leaves the marker where it is.
    const back = await send('POST', '/v1/notifications/read', owner.headers, { upToId: 1 });
    expect(back.json().lastReadId).toBe(newest);
    await send('POST', '/v1/notifications/read', owner.headers, {});
  });
});

describe('settings', () => {
  it('only admins read or change them; quiet hours need two different times', async () => {
    expect((await get('/v1/notification-settings', storekeeperA.headers)).statusCode).toBe(403);
    const def = (await get('/v1/notification-settings', owner.headers)).json();
    expect(def).toMatchObject({
      digestEnabled: true,
      digestHour: 8,
      quietHours: null,
      robotLanguage: 'zh-CN',
    });
    const empty = await send('PUT', '/v1/notification-settings', owner.headers, {
      ...SETTINGS,
      quietHours: { start: '22:00', end: '22:00' },
    });
    expect(empty.statusCode).toBe(422);
    expect(empty.json().code).toBe('quiet_hours_empty');
    expect(empty.json().title).toBe('免打扰时段不对');
    // Digests off until their own tests, so the robot runs below send none.
    const put = await send('PUT', '/v1/notification-settings', owner.headers, {
      ...SETTINGS,
      digestEnabled: false,
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toMatchObject({ ...SETTINGS, digestEnabled: false, updatedBy: owner.userId });
  });

  it('each person turns their own digest off', async () => {
    const r = await send('PUT', '/v1/notifications/preferences', optedOut.headers, { digestEnabled: false });
    expect(r.statusCode, r.body).toBe(200);
    expect((await get('/v1/notifications/preferences', optedOut.headers)).json().digestEnabled).toBe(false);
    expect((await get('/v1/notifications/preferences', owner.headers)).json().digestEnabled).toBe(true);
  });
});

describe('group robots', () => {
  let wecom: string;
  let dingtalk: string;
  const wecomUrl = () => `http://wecom-robot.invalid:${robotPort}/cgi-bin/webhook/send?key=wecom-key-0001`;
  const dingUrl = () => `http://dingtalk-robot.invalid:${robotPort}/robot/send?access_token=ding-token-0002`;
  const DING_SECRET = 'SECding-signing-secret-0003';

  it('are managed by all-sites admins only; a private address or a WeCom secret is refused', async () => {
    const limited = await send('POST', '/v1/robot-channels', adminA.headers, {
      kind: 'wecom',
      name: '库房群',
      url: wecomUrl(),
    });
    expect(limited.statusCode).toBe(403);
    expect(limited.json().code).toBe('all_sites_required');
    expect(
      (
        await send('POST', '/v1/robot-channels', storekeeperA.headers, {
          kind: 'wecom',
          name: 'x',
          url: wecomUrl(),
        })
      ).statusCode,
    ).toBe(403);
    const privateUrl = await send('POST', '/v1/robot-channels', owner.headers, {
      kind: 'wecom',
      name: '库房群',
      url: `http://127.0.0.1:${robotPort}/cgi-bin/webhook/send?key=k`,
    });
    expect(privateUrl.statusCode).toBe(422);
    expect(privateUrl.json().code).toBe('invalid_webhook_url');
    const secret = await send('POST', '/v1/robot-channels', owner.headers, {
      kind: 'wecom',
      name: '库房群',
      url: wecomUrl(),
      secret: 'SECx',
    });
    expect(secret.json().code).toBe('robot_secret_dingtalk_only');
  });

  it('keep the URL and the secret sealed; the API shows hints only', async () => {
    const w = await send('POST', '/v1/robot-channels', owner.headers, {
      kind: 'wecom',
      name: '库房群',
      url: wecomUrl(),
    });
    expect(w.statusCode, w.body).toBe(201);
    wecom = w.json().id;
    const d = await send('POST', '/v1/robot-channels', owner.headers, {
      kind: 'dingtalk',
      name: '采购群',
      url: dingUrl(),
      secret: DING_SECRET,
    });
    expect(d.statusCode, d.body).toBe(201);
    dingtalk = d.json().id;
    expect(d.json()).toMatchObject({ signed: true, secretHint: 'SEC…0003', active: true });
    const list = await get('/v1/robot-channels', owner.headers);
    expect(list.body).not.toContain('wecom-key-0001');
    expect(list.body).not.toContain('ding-token');
    expect(list.body).not.toContain('signing-secret');
    const rows = await q<{ url_sealed: string; secret_sealed: string | null }>(
      sql`select url_sealed, secret_sealed from robot_channels`,
    );
    for (const r of rows) {
      expect(r.url_sealed).toMatch(/^v1\./);
      expect(r.url_sealed).not.toContain('key');
    }
    robotNamesResolve = true;
  });

  it('announce a new critical alert to both robots in their formats, DingTalk signed; retried until the receiver takes it', async () => {
    received.length = 0;
    // Alerts from before the channels existed are not announced; this one is new and critical.
    const alertId = await openAlert(locA, siteA, itemA, 'critical', 'stocked_out');
    // Delivery checks the address again: the name resolves to a loopback address, refused.
    const refused = await run({ allowPrivate: false });
    expect(refused).toMatchObject({ collected: 2, robots: { sent: 0, retrying: 2 } });
    expect(received).toHaveLength(0);
    const pending = await get(`/v1/robot-channels/${wecom}/messages`, owner.headers);
    expect(pending.json().items[0]).toMatchObject({ alertId, status: 'pending', attempts: 1 });
    expect(pending.json().items[0].lastError).toContain('private or loopback');
    expect(pending.body).not.toContain('wecom-key');

    // The next attempt is due after the backoff; a robot that answers errcode ≠ 0 failed too.
    await q(sql`update robot_messages set next_attempt_at = now()`);
    answer = '{"errcode":93000,"errmsg":"invalid webhook url"}';
    expect(await run()).toMatchObject({ collected: 0, robots: { sent: 0, retrying: 2 } });
    expect(received).toHaveLength(2);
    answer = '{"errcode":0,"errmsg":"ok"}';
    await q(sql`update robot_messages set next_attempt_at = now()`);
    expect(await run()).toMatchObject({ robots: { sent: 2 } });

    const wecomHit = received.filter((r) => r.url.startsWith('/cgi-bin')).at(-1)!;
    expect(wecomHit.url).toBe('/cgi-bin/webhook/send?key=wecom-key-0001');
    expect(wecomHit.body.msgtype).toBe('markdown');
    expect(Object.keys(wecomHit.body.markdown)).toEqual(['content']);
    const content: string = wecomHit.body.markdown.content;
    expect(content).toContain('新的紧急预警：已缺货');
    expect(content).toContain('耗材 NT-A');
    expect(content).toContain('7 天内缺货概率 92%');
    expect(content).toContain('请尽快补货');
    // robotLanguage both: the English follows the Chinese.
    expect(content).toContain('New critical alert: Stocked out');
    expect(content).toContain(`/alerts/${alertId}`);

    const dingHit = received.filter((r) => r.url.startsWith('/robot')).at(-1)!;
    expect(dingHit.body.msgtype).toBe('markdown');
    expect(dingHit.body.markdown.title).toBe('【紧急】已缺货：耗材 NT-A');
    expect(dingHit.body.markdown.text).toContain('查看预警详情');
    const u = new URL(dingHit.url, 'http://x');
    expect(u.searchParams.get('access_token')).toBe('ding-token-0002');
    const ts = u.searchParams.get('timestamp')!;
    expect(Math.abs(Date.now() - Number(ts))).toBeLessThan(60_000);
    const expected = createHmac('sha256', DING_SECRET).update(`${ts}\n${DING_SECRET}`).digest('base64');
    expect(u.searchParams.get('sign')).toBe(expected);

    // Nothing new: nothing sent again.
    const before = received.length;
    expect(await run()).toMatchObject({ collected: 0, robots: { sent: 0 } });
    expect(received).toHaveLength(before);
    const log = (await get(`/v1/robot-channels/${dingtalk}/messages`, owner.headers)).json();
    expect(log.items[0]).toMatchObject({ status: 'sent', attempts: 3 });
  });

  it('an alert escalated to critical is announced; one acknowledged before the run is not', async () => {
    received.length = 0;
    const [high] = await q<{ id: string }>(sql`select id from alerts where severity = 'high' limit 1`);
    await q(sql`update alerts set severity = 'critical' where id = ${high!.id}`);
    await q(sql`insert into alert_feed (alert_id, kind) values (${high!.id}, 'updated')`);
    const acked = await openAlert(locB, siteB, itemB, 'critical', 'expired');
    await q(sql`update alerts set status = 'acknowledged' where id = ${acked}`);
    expect(await run()).toMatchObject({ collected: 2, robots: { sent: 2 } });
    expect(received.every((r) => JSON.stringify(r.body).includes('预警升级为紧急'))).toBe(true);
    expect(JSON.stringify(received)).not.toContain('已过期');
  });

  it('quiet hours hold robot messages unless critical alerts may break them; a paused robot gets nothing', async () => {
    received.length = 0;
    // 10:00 in Shanghai.
    const now = new Date('2026-06-01T02:00:00Z');
    await send('PUT', '/v1/notification-settings', owner.headers, {
      ...SETTINGS,
      digestEnabled: false,
      quietHours: { start: '09:00', end: '11:00' },
      criticalInQuietHours: false,
    });
    await send('PATCH', `/v1/robot-channels/${dingtalk}`, owner.headers, { active: false });
    await openAlert(locA, siteA, itemB, 'critical', 'below_par_minimum');
    expect(await run({ now })).toMatchObject({ quiet: true, collected: 1, robots: { held: 'quiet hours' } });
    expect(received).toHaveLength(0);
    await send('PUT', '/v1/notification-settings', owner.headers, {
      ...SETTINGS,
      digestEnabled: false,
      quietHours: { start: '09:00', end: '11:00' },
    });
    expect(await run({ now })).toMatchObject({ quiet: true, robots: { sent: 1 } });
    expect(received.map((r) => r.url.split('?')[0])).toEqual(['/cgi-bin/webhook/send']);
    const resumed = await send('PATCH', `/v1/robot-channels/${dingtalk}`, owner.headers, { active: true });
    expect(resumed.json().active).toBe(true);
    // Resumed: what happened while paused is not announced afterwards.
    expect(await run({ now })).toMatchObject({ collected: 0 });
  });
});

describe('key rotation', () => {
  it('a new key re-seals robot URLs and secrets; the robots deliver under it alone', async () => {
    const newKey = `k9:${randomBytes(32).toString('base64')}`;
    const ring = parseSecretKeys(`${newKey},${t.config.SECRETS_KEYS}`);
    expect(await resealRobotSecrets(t.deps.database.db, ring, owner.organizationId)).toBe(2);
    expect(await resealRobotSecrets(t.deps.database.db, ring, owner.organizationId)).toBe(0);
    const rows = await q<{ url_sealed: string; secret_sealed: string | null }>(
      sql`select url_sealed, secret_sealed from robot_channels`,
    );
    for (const r of rows) {
      expect(r.url_sealed).toMatch(/^v1\.k9\./);
      if (r.secret_sealed) expect(r.secret_sealed).toMatch(/^v1\.k9\./);
    }
    received.length = 0;
    await openAlert(locB, siteB, itemA, 'critical', 'stockout_risk');
    expect(await run({ secretsKeys: newKey })).toMatchObject({ robots: { sent: 2 } });
    expect(received.map((r) => r.url.split('?')[0]).sort()).toEqual(['/cgi-bin/webhook/send', '/robot/send']);
  });
});

describe('daily digest', () => {
  const isDigest = (subject: string) => subject.includes('每日摘要') || subject.includes('daily digest');

  it('goes once a day to each role in the settings, with their sites only, approvals for approvers', async () => {
    await send('PUT', '/v1/notification-settings', owner.headers, SETTINGS);
    const supplierId = await insertSupplier(t, owner.organizationId, { code: 'DG-S' });
    await q(sql`insert into purchase_orders (number, supplier_id, site_id, location_id, status)
                values ('PO-DIGEST-1', ${supplierId}, ${siteB}, ${locB}, 'draft')`);
    for (const [loc, item, lot] of [
      [locA, itemA, 'EXP-A'],
      [locB, itemB, 'EXP-B'],
    ] as const) {
      const [l] = await q<{ id: string }>(
        sql`insert into lots (item_id, lot_number, expiry_date) values (${item}, ${lot}, current_date + 5) returning id`,
      );
      await q(
        sql`insert into stock (location_id, item_id, lot_id, on_hand) values (${loc}, ${item}, ${l!.id}, 4)`,
      );
    }
    const first = await run();
    expect(first).toMatchObject({ digests: { mailed: 3 } });

    const own = await t.mail.waitFor(owner.email, (m) => isDigest(m.subject));
    expect(own.subject).toMatch(/^【库存预警】/);
    expect(own.text).toContain('EXP-A');
    expect(own.text).toContain('EXP-B');
    expect(own.text).toContain('PO-DIGEST-1');
    expect(own.text).toContain('[紧急]');

    const keeper = await t.mail.waitFor(storekeeperA.email, (m) => isDigest(m.subject));
    expect(keeper.text).toContain('EXP-A');
    expect(keeper.text).not.toContain('EXP-B');
    expect(keeper.text).not.toContain('东院');
    expect(own.text).toContain('东院');
    expect(keeper.text).not.toContain('PO-DIGEST-1');

    const buyer = await t.mail.waitFor(purchaser.email, (m) => isDigest(m.subject));
    expect(buyer.subject).toContain('daily digest');
    expect(buyer.text).toContain('Purchase orders to approve (1)');
    expect(buyer.text).toContain('PO-DIGEST-1');

    expect(t.mail.to(viewer.email, (m) => isDigest(m.subject))).toHaveLength(0);
    expect(t.mail.to(optedOut.email, (m) => isDigest(m.subject))).toHaveLength(0);

    // Once a day: the next run sends nothing more.
    expect(await run()).toMatchObject({ digests: { mailed: 0 } });
    expect(t.mail.to(owner.email, (m) => isDigest(m.subject))).toHaveLength(1);
  });

  it('waits for the digest hour and for the end of quiet hours', async () => {
    // 06:30 in Shanghai the next day, digest at 07:00: not yet.
    await send('PUT', '/v1/notification-settings', owner.headers, { ...SETTINGS, digestHour: 7 });
    expect(await run({ now: new Date('2026-06-02T22:30:00Z') })).toMatchObject({ digests: { due: false } });
    await send('PUT', '/v1/notification-settings', owner.headers, {
      ...SETTINGS,
      digestHour: 7,
      quietHours: { start: '22:00', end: '08:00' },
    });
    // 07:30: the hour has come, but quiet hours last until 08:00.
    expect(await run({ now: new Date('2026-06-02T23:30:00Z') })).toMatchObject({
      quiet: true,
      digests: { due: false },
    });
    // 08:05: sent.
    expect(await run({ now: new Date('2026-06-03T00:05:00Z') })).toMatchObject({
      quiet: false,
      digests: { mailed: 3 },
    });
  });
});
