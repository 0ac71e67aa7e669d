import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { daysBetween, localToday } from '@medstock/core';
import { organizationTimeZone, organizationToday, withTenantDb } from '@medstock/db';
import { JOB_REGISTRY, type RunningWorker, startWorker } from '@medstock/worker';
import { loadEngineInputs } from '@medstock/worker/engine/load-inputs.ts';
import type { JobDefinition } from '@medstock/worker/jobs/job-context.ts';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let org: SignedUp;
let running: RunningWorker;
let uploadDir: string;
let loc: string;
let item: string;

const noop: JobDefinition = { description: 'not under test here', handle: async () => ({}) };
const q = <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  withTenantDb(t.deps.database.db, org, async (tx) => (await tx.execute<T>(query)).rows);
const setZone = (timezone: string) =>
  t.app.inject({ method: 'PATCH', url: '/v1/organization', headers: org.headers, payload: { timezone } });
const post = (payload: Record<string, unknown>) =>
  t.app.inject({ method: 'POST', url: '/v1/movements', headers: org.headers, payload });

async function monthlyConsumption(from: string, to: string): Promise<Record<string, number>> {
  const r = await t.app.inject({
    method: 'GET',
    url: `/v1/kpis?from=${from}&to=${to}&granularity=month`,
    headers: org.headers,
  });
  expect(r.statusCode, r.body).toBe(200);
  return Object.fromEntries(
    r
      .json()
      .total.periods.map((p: { start: string; turnover: { consumptionValue: number } }) => [
        p.start,
        p.turnover.consumptionValue,
      ]),
  );
}

async function importMovements(csv: string) {
  const res = await t.app.inject({
    method: 'POST',
    url: '/v1/imports?kind=movements',
    headers: { ...org.headers, 'content-type': 'text/csv' },
    payload: csv,
  });
  expect(res.statusCode, res.body).toBe(202);
  const deadline = Date.now() + 60_000;
  for (;;) {
    const r = (
      await t.app.inject({ method: 'GET', url: `/v1/imports/${res.json().id}`, headers: org.headers })
    ).json();
    if (r.status === 'succeeded' || r.status === 'failed') return r;
    if (Date.now() > deadline) throw new Error(`import still ${r.status}`);
    await new Promise((done) => setTimeout(done, 100));
  }
}

beforeAll(async () => {
  uploadDir = mkdtempSync(join(tmpdir(), 'medstock-local-days-'));
  t = await startTestApp({ UPLOAD_DIR: uploadDir });
  org = await signUp(t, { organizationName: 'Shanghai clinic' });
  running = await startWorker(t.config, {
    registry: { ...JOB_REGISTRY, recalculate: noop, 'recalculate-drain': noop, housekeeping: noop },
  });
  ({ locationId: loc } = await centralStore(t, org.headers));
  item = await insertItem(t, org.organizationId, { code: 'GAUZE-LD', unitCost: 2 });
});
afterAll(async () => {
  await running?.close();
  await t?.close();
  if (uploadDir) rmSync(uploadDir, { recursive: true, force: true });
});

describe('every day boundary is the organisation’s local day', () => {
  it('a new organisation lives in Asia/Shanghai; a zone must be an IANA name', async () => {
    const me = await t.app.inject({ method: 'GET', url: '/v1/organization', headers: org.headers });
    expect(me.json().timezone).toBe('Asia/Shanghai');
    for (const bad of ['Mars/Olympus', '+08:00', 'Asia/Shanghai; drop table']) {
      const r = await setZone(bad);
      expect(r.statusCode, bad).toBe(422);
      expect(r.headers['content-type']).toContain('application/problem+json');
      expect(r.json()).toMatchObject({
        code: 'invalid_time_zone',
        errors: [{ field: 'body:/timezone' }],
      });
    }
    const fixed = await setZone('asia/shanghai');
    expect(fixed.statusCode).toBe(200);
    expect(fixed.json().timezone).toBe('Asia/Shanghai');
    expect(await withTenantDb(t.deps.database.db, org, (tx) => organizationTimeZone(tx))).toBe(
      'Asia/Shanghai',
    );
  });

  it('an issue at 07:30 Shanghai time on 1 March counts on 1 March, in demand and in the KPIs', async () => {
    expect(
      (
        await post({
          type: 'receipt',
          itemId: item,
          locationId: loc,
          quantity: 100,
          occurredAt: '2026-02-20T10:00:00+08:00',
        })
      ).statusCode,
    ).toBe(201);
    // 07:30 in Shanghai is 23:30 UTC the day before: a UTC day would put it in February.
    const issue = await post({
      type: 'issue',
      itemId: item,
      locationId: loc,
      quantity: 7,
      occurredAt: '2026-03-01T07:30:00+08:00',
    });
    expect(issue.statusCode, issue.body).toBe(201);

    // KPIs: the consumption (7 × 2.00) is March's.
    expect(await monthlyConsumption('2026-02-01', '2026-03-31')).toEqual({
      '2026-02-01': 0,
      '2026-03-01': 14,
    });

    // The engine's demand series: 7 on 2026-03-01, nothing on 2026-02-28; last issue 9 days before 10 March.
    const [input] = await withTenantDb(t.deps.database.db, org, (tx) =>
      loadEngineInputs(tx, [{ itemId: item, locationId: loc }], '2026-03-10', 28, { historyDays: 60 }),
    );
    const at = (day: string) => input!.history[daysBetween(input!.historyStartDate, day)];
    expect(at('2026-03-01')).toBe(7);
    expect(at('2026-02-28')).toBe(0);
    expect(input!.lastIssueDaysAgo).toBe(9);
    // The same ledger bucketed in UTC days would put it on 28 February: the zone is what decides.
    const [utc] = await withTenantDb(t.deps.database.db, org, (tx) =>
      loadEngineInputs(tx, [{ itemId: item, locationId: loc }], '2026-03-10', 28, {
        historyDays: 60,
        timeZone: 'UTC',
      }),
    );
    expect(utc!.history[daysBetween(utc!.historyStartDate, '2026-02-28')]).toBe(7);
    expect(utc!.lastIssueDaysAgo).toBe(10);
  });

  it('changing the zone moves the boundary: in New York the same issue is on 28 February', async () => {
    expect((await setZone('America/New_York')).statusCode).toBe(200);
    try {
      expect(await monthlyConsumption('2026-02-01', '2026-03-31')).toEqual({
        '2026-02-01': 14,
        '2026-03-01': 0,
      });
    } finally {
      expect((await setZone('Asia/Shanghai')).statusCode).toBe(200);
    }
  });

  it('imported dates without an offset are local: 2026/08/01 is midnight in Shanghai, 2026-08-01 08:30 is 08:30 there', async () => {
    const job = await importMovements(
      [
        'date,site_code,location_code,item_code,type,quantity,unit,lot_number,expiry_date',
        '2026/08/01,MAIN,CENTRAL,GAUZE-LD,issue,3,,,',
        '2026-08-01 08:30,MAIN,CENTRAL,GAUZE-LD,issue,4,,,',
        '2026-08-01T08:30:00Z,MAIN,CENTRAL,GAUZE-LD,issue,5,,,',
        '2026/8/2,MAIN,CENTRAL,GAUZE-LD,receipt,6,,LD-LOT-1,2027/01/31',
      ].join('\n'),
    );
    expect(job.status, JSON.stringify(job.errors)).toBe('succeeded');
    const rows = await q<{ quantity: number; at: string }>(sql`
      select quantity::int as quantity, to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI"Z"') as at
        from movements where import_id = ${job.id} and occurred_at < '2026-09-01' order by occurred_at, quantity`);
    // (Rows at the import time are the history baseline that keeps today's on-hand unchanged.)
    expect(rows).toEqual([
      { quantity: -3, at: '2026-07-31T16:00Z' },
      { quantity: -4, at: '2026-08-01T00:30Z' },
      { quantity: -5, at: '2026-08-01T08:30Z' },
      { quantity: 6, at: '2026-08-01T16:00Z' },
    ]);
    const lot = await q<{ expiry: string }>(
      sql`select to_char(expiry_date, 'YYYY-MM-DD') as expiry from lots where lot_number = 'LD-LOT-1'`,
    );
    expect(lot).toEqual([{ expiry: '2027-01-31' }]);
  });

  it('a back-dated issue meets the lot’s expiry in local days: 07:00 on the day after expiry is too late', async () => {
    const lotNumber = 'LD-BACK-1';
    const receipt = await post({
      type: 'receipt',
      itemId: item,
      locationId: loc,
      quantity: 10,
      lotNumber,
      expiryDate: '2026-03-05',
      occurredAt: '2026-03-02T09:00:00+08:00',
      // Three days before its expiry the lot is short-dated: received with the recorded override.
      acceptShortDated: true,
      reason: '急用，三天内用完',
    });
    expect(receipt.statusCode, receipt.body).toBe(201);
    // 23:30 on the expiry date (15:30 UTC): still usable.
    const onTheDay = await post({
      type: 'issue',
      itemId: item,
      locationId: loc,
      quantity: 1,
      lotNumber,
      occurredAt: '2026-03-05T23:30:00+08:00',
    });
    expect(onTheDay.statusCode, onTheDay.body).toBe(201);
    // 07:00 the next morning is still 5 March in UTC, but the lot expired the evening before.
    const nextMorning = await post({
      type: 'issue',
      itemId: item,
      locationId: loc,
      quantity: 1,
      lotNumber,
      occurredAt: '2026-03-06T07:00:00+08:00',
    });
    expect(nextMorning.statusCode, nextMorning.body).toBe(409);
    expect(nextMorning.json().code).toBe('lot_expired');
  });

  it('a lot expires at the end of its expiry date in the organisation’s zone, not UTC’s', async () => {
    // One of these zones is on a different date from UTC at any moment: pick it.
    const utcToday = localToday('UTC');
    const zone = localToday('Pacific/Kiritimati') !== utcToday ? 'Pacific/Kiritimati' : 'Pacific/Pago_Pago';
    const localDate = localToday(zone);
    expect(localDate).not.toBe(utcToday);
    expect((await setZone(zone)).statusCode).toBe(200);
    try {
      expect(await withTenantDb(t.deps.database.db, org, (tx) => organizationToday(tx))).toBe(localDate);
      // Kiritimati is a day ahead of UTC: a lot expiring on UTC's today has expired there.
      // Pago Pago is a day behind: a lot expiring on its today is still usable, though UTC's today is past it.
      const ahead = localDate > utcToday;
      const expiryDate = ahead ? utcToday : localDate;
      const lotNumber = `LD-EXP-${ahead ? 'A' : 'B'}`;
      const receiptOf = (extra: Record<string, unknown>) =>
        post({
          type: 'receipt',
          itemId: item,
          locationId: loc,
          quantity: 10,
          lotNumber,
          expiryDate,
          ...extra,
        });
      if (ahead) {
        // Already expired in the organisation's zone: a receipt needs the explicit override.
        const refused = await receiptOf({});
        expect(refused.statusCode, refused.body).toBe(409);
        expect(refused.json().code).toBe('lot_expired_on_receipt');
      }
      // Behind UTC the lot expires later today there, so it is received as short-dated (it is within the
      // short-dated window either way); the point here is only whether it has expired.
      const receipt = await receiptOf(
        ahead
          ? { acceptExpired: true, reason: 'zone test' }
          : { acceptShortDated: true, reason: 'zone test' },
      );
      expect(receipt.statusCode, receipt.body).toBe(201);
      const issue = await post({ type: 'issue', itemId: item, locationId: loc, quantity: 1, lotNumber });
      if (ahead) {
        expect(issue.statusCode, issue.body).toBe(409);
        expect(issue.json().code).toBe('lot_expired');
      } else {
        expect(issue.statusCode, issue.body).toBe(201);
      }
    } finally {
      expect((await setZone('Asia/Shanghai')).statusCode).toBe(200);
    }
  });
});
