import { organizationToday, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * A hand-made ledger over two weeks (Mon 2025-03-03 … Sun 2025-03-16) at two sites, with every
 * expected number worked out by hand below.
 *
 * Site A, gauze G at 2 per unit: 10 received on Feb 20; all 10 issued on Mar 4 (out of stock
 * until the receipt of 20 on Mar 10 against PO-A, expected Mar 8: late); 5 issued on Mar 11.
 *   end-of-day on-hand  week 1: 10, 0, 0, 0, 0, 0, 0   week 2: 20, 15, 15, 15, 15, 15, 15
 * Site B, sutures S at 1 per unit: imported history shows 7 used on Mar 5 (demand, but no
 * on-hand change); 50 received on Mar 12 against PO-B (expected Mar 12: on time); 5 written
 * off on Mar 14.   end-of-day on-hand week 2 from Mar 12: 50, 50, 45, 45, 45
 */
let t: TestApp;
let owner: SignedUp;
let siteA: string;
let siteB: string;
let locA: string;
let locB: string;

const at = (iso: string) => new Date(iso).toISOString();
const URL = '/v1/kpis?from=2025-03-03&to=2025-03-16&granularity=week';

async function member(role: string, siteIds: string[] | null = null) {
  return (await addMember(t, owner.headers, role, siteIds)).headers;
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ siteId: siteA, locationId: locA } = await centralStore(t, owner.headers));
  siteB = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: owner.headers,
      payload: { code: 'B', name: 'Site B' },
    })
  ).json().id;
  ({ locationId: locB } = await centralStore(t, owner.headers, siteB));
  const g = await insertItem(t, owner.organizationId, { code: 'G', unitCost: 2 });
  const s = await insertItem(t, owner.organizationId, { code: 'S', unitCost: 1 });
  const explanation = JSON.stringify({
    rule: 'stockout_risk',
    ruleVersion: 1,
    threshold: {},
    inputs: {},
    formula: '',
    substituted: '',
    text: { zh: '', en: '' },
  });

  await withTenantDb(t.deps.database.db, owner, async (tx) => {
    const sup = async (code: string) =>
      (
        await tx.execute<{ id: string }>(
          sql`insert into suppliers (code, name) values (${code}, ${code}) returning id`,
        )
      ).rows[0]!.id;
    const s1 = await sup('S1');
    const s2 = await sup('S2');
    const po = async (
      number: string,
      supplier: string,
      site: string,
      loc: string,
      status: string,
      created: string,
      expected: string,
      received: string | null,
      item: string,
      q: number,
    ) => {
      const r = await tx.execute<{ id: string }>(sql`
        insert into purchase_orders (number, supplier_id, site_id, location_id, status, created_at, expected_at, received_at)
        values (${number}, ${supplier}, ${site}, ${loc}, ${status}, ${at(created)}::timestamptz, ${expected}::date, ${received ? at(received) : null}::timestamptz) returning id`);
      const id = r.rows[0]!.id;
      const line = await tx.execute<{ id: string }>(sql`
        insert into purchase_order_lines (purchase_order_id, item_id, quantity_ordered, quantity_received) values (${id}, ${item}, ${q}, ${received ? q : 0}) returning id`);
      return { id, line: line.rows[0]!.id };
    };
    const poA = await po(
      'PO-A',
      s1,
      siteA,
      locA,
      'received',
      '2025-03-06T00:00:00Z',
      '2025-03-08',
      '2025-03-10T00:00:00Z',
      g,
      20,
    );
    const poB = await po(
      'PO-B',
      s2,
      siteB,
      locB,
      'received',
      '2025-03-10T00:00:00Z',
      '2025-03-12',
      '2025-03-12T00:00:00Z',
      s,
      50,
    );
    await po('PO-OPEN', s1, siteA, locA, 'sent', '2025-03-05T00:00:00Z', '2025-03-07', null, g, 10); // not received: no cycle time, no receipt

    const move = (
      type: string,
      item: string,
      loc: string,
      q: number,
      when: string,
      opts: { line?: string; reason?: string } = {},
    ) =>
      tx.execute(sql`
        insert into movements (type, item_id, location_id, quantity, occurred_at, purchase_order_line_id, reason)
        values (${type}, ${item}, ${loc}, ${q}, ${at(when)}::timestamptz, ${opts.line ?? null}, ${opts.reason ?? null})`);
    await move('receipt', g, locA, 10, '2025-02-20T10:00:00Z');
    await move('issue', g, locA, -10, '2025-03-04T10:00:00Z');
    await move('receipt', g, locA, 20, '2025-03-10T09:00:00Z', { line: poA.line });
    await move('issue', g, locA, -5, '2025-03-11T10:00:00Z');
    await move('issue', g, locA, -3, '2025-03-20T10:00:00Z'); // after the range
    // Imported history: an issue before any stock here, and the import's baseline that keeps on-hand.
    await move('issue', s, locB, -7, '2025-03-05T10:00:00Z');
    await move('stocktake', s, locB, 7, '2025-03-05T10:00:01Z', { reason: 'history baseline' });
    await move('receipt', s, locB, 50, '2025-03-12T09:00:00Z', { line: poB.line });
    await move('write_off', s, locB, -5, '2025-03-14T10:00:00Z');

    const alert = (item: string, loc: string, site: string, status: string, when: string | null) =>
      tx.execute(sql`
        insert into alerts (type, item_id, location_id, site_id, severity, status, rule_version, explanation, resolved_at, dismissed_at, dismissed_reason)
        values ('stockout_risk', ${item}, ${loc}, ${site}, 'high', ${status}, 1, ${explanation}::jsonb,
                ${status === 'resolved' ? at(when!) : null}::timestamptz, ${status === 'dismissed' ? at(when!) : null}::timestamptz,
                ${status === 'dismissed' ? 'false alarm' : null})`);
    for (const d of ['2025-03-04', '2025-03-05', '2025-03-06'])
      await alert(g, locA, siteA, 'resolved', `${d}T12:00:00Z`);
    await alert(g, locA, siteA, 'dismissed', '2025-03-07T12:00:00Z');
    await alert(g, locA, siteA, 'dismissed', '2025-03-12T12:00:00Z');
    await alert(s, locB, siteB, 'resolved', '2025-03-13T12:00:00Z');
    await alert(g, locA, siteA, 'resolved', '2025-04-01T12:00:00Z'); // after the range
    await alert(g, locA, siteA, 'open', null); // not closed

    // Lead times of S1: 10, 10, 10, 13, 13, 16 (last three 14 against 10 before them: drift +4); S2: one delivery of 2 days.
    const obs = [10, 10, 10, 13, 13, 16];
    for (const [i, days] of obs.entries()) {
      const received = new Date(Date.UTC(2025, 0, 1 + i * 10));
      await tx.execute(sql`
        insert into lead_time_observations (supplier_id, item_id, purchase_order_id, ordered_at, received_at, lead_time_days)
        values (${s1}, ${g}, ${poA.id}, ${new Date(received.getTime() - days * 86_400_000).toISOString()}::timestamptz, ${received.toISOString()}::timestamptz, ${days})`);
    }
    await tx.execute(sql`
      insert into lead_time_observations (supplier_id, item_id, purchase_order_id, ordered_at, received_at, lead_time_days)
      values (${s2}, ${s}, ${poB.id}, ${at('2025-03-10T00:00:00Z')}::timestamptz, ${at('2025-03-12T00:00:00Z')}::timestamptz, 2)`);

    // A succeeded backtest: at A, alerts (raised, stockout) = (y, y), (y, n), (n, y); at B (y, y).
    const run = await tx.execute<{ id: string }>(sql`
      insert into backtest_runs (status, from_date, to_date, step, finished_at) values ('succeeded', '2025-01-01', '2025-03-01', 'weekly', now()) returning id`);
    const rows: Array<[string, string, string, boolean, boolean]> = [
      [g, locA, '2025-01-06', true, true],
      [g, locA, '2025-01-13', true, false],
      [g, locA, '2025-01-20', false, true],
      [s, locB, '2025-01-06', true, true],
    ];
    for (const [item, loc, asOf, raised, happened] of rows) {
      await tx.execute(sql`
        insert into backtest_rows (run_id, item_id, location_id, as_of, model, position, p_within_horizon, alert_raised, outcome)
        values (${run.rows[0]!.id}, ${item}, ${loc}, ${asOf}::date, 'ses', 5, 0.5, ${raised}, ${happened ? 'new_stockout' : 'none'})`);
    }
  });
});
afterAll(async () => t?.close());

const week = (o: Record<string, unknown>) => expect.objectContaining(o);

describe('KPIs on a hand-made ledger', () => {
  it('per site, week by week', async () => {
    const r = await t.app.inject({ method: 'GET', url: URL, headers: owner.headers });
    expect(r.statusCode, r.body).toBe(200);
    const body = r.json();
    expect(body).toMatchObject({ from: '2025-03-03', to: '2025-03-16', granularity: 'week' });
    expect(body.sites.map((x: { siteId: string }) => x.siteId).sort()).toEqual([siteA, siteB].sort());
    const A = body.sites.find((x: { siteId: string }) => x.siteId === siteA);
    const B = body.sites.find((x: { siteId: string }) => x.siteId === siteB);

    expect(A.periods).toEqual([
      {
        start: '2025-03-03',
        end: '2025-03-09',
        days: 7,
        stockout: { rate: 0.8571, stockoutDays: 6, itemLocationDays: 7 }, // out Mar 4–9
        inventory: { endValue: 0, averageValue: 2.86 }, // (10 × 2) / 7
        turnover: { days: 1, consumptionValue: 20 }, // (20/7) ÷ (20/7)
        alerts: { precision: 0.75, resolved: 3, dismissed: 1 },
        purchasing: { cycleTimeDays: null, ordersReceived: 0 },
        supplierOnTime: { rate: null, onTime: 0, receipts: 0 },
        expiryWriteOff: { value: 0, quantity: 0 },
      },
      {
        start: '2025-03-10',
        end: '2025-03-16',
        days: 7,
        stockout: { rate: 0, stockoutDays: 0, itemLocationDays: 7 },
        inventory: { endValue: 30, averageValue: 31.43 }, // (40 + 6 × 30) / 7
        turnover: { days: 22, consumptionValue: 10 }, // (220/7) ÷ (10/7)
        alerts: { precision: 0, resolved: 0, dismissed: 1 },
        purchasing: { cycleTimeDays: 4, ordersReceived: 1 }, // Mar 6 → Mar 10
        supplierOnTime: { rate: 0, onTime: 0, receipts: 1 }, // received Mar 10, expected Mar 8
        expiryWriteOff: { value: 0, quantity: 0 },
      },
    ]);
    expect(A.suppliers).toEqual([
      {
        supplierId: expect.any(String),
        supplierName: 'S1',
        receipts: 1,
        receiptsOnTime: 0,
        onTimeRate: 0,
        leadTime: {
          observations: 6,
          overallMeanDays: 12,
          recentMeanDays: 14,
          historyMeanDays: 10,
          driftDays: 4,
        },
      },
    ]);
    expect(A.backtest).toMatchObject({ precision: 0.5, recall: 0.5, alertsRaised: 2, stockouts: 2 });

    expect(B.periods).toEqual([
      week({
        // Imported history is ledger history: the issue of Mar 5 left no stock until the receipt.
        stockout: { rate: 1, stockoutDays: 5, itemLocationDays: 5 }, // Mar 5–9
        inventory: { endValue: 0, averageValue: 0 },
        turnover: { days: 0, consumptionValue: 7 },
        alerts: { precision: null, resolved: 0, dismissed: 0 },
      }),
      week({
        stockout: { rate: 0.2857, stockoutDays: 2, itemLocationDays: 7 }, // Mar 10–11, before the receipt
        inventory: { endValue: 45, averageValue: 33.57 }, // (50 + 50 + 45 × 3) / 7
        turnover: { days: null, consumptionValue: 0 },
        alerts: { precision: 1, resolved: 1, dismissed: 0 },
        purchasing: { cycleTimeDays: 2, ordersReceived: 1 },
        supplierOnTime: { rate: 1, onTime: 1, receipts: 1 },
        expiryWriteOff: { value: 5, quantity: 5 },
      }),
    ]);
    expect(B.suppliers).toEqual([
      {
        supplierId: expect.any(String),
        supplierName: 'S2',
        receipts: 1,
        receiptsOnTime: 1,
        onTimeRate: 1,
        leadTime: {
          observations: 1,
          overallMeanDays: 2,
          recentMeanDays: null,
          historyMeanDays: null,
          driftDays: null,
        },
      },
    ]);
    expect(B.backtest).toMatchObject({ precision: 1, recall: 1 });
  });

  it('for the whole organisation: sums, then ratios', async () => {
    const { total } = (await t.app.inject({ method: 'GET', url: URL, headers: owner.headers })).json();
    expect(total.siteId).toBeNull();
    expect(total.periods[0]).toMatchObject({
      stockout: { rate: 0.9167, stockoutDays: 11, itemLocationDays: 12 },
      turnover: { days: 0.74, consumptionValue: 27 },
      alerts: { precision: 0.75 },
    });
    expect(total.periods[1]).toEqual({
      start: '2025-03-10',
      end: '2025-03-16',
      days: 7,
      stockout: { rate: 0.1429, stockoutDays: 2, itemLocationDays: 14 },
      inventory: { endValue: 75, averageValue: 65 }, // (220 + 235) / 7
      turnover: { days: 45.5, consumptionValue: 10 }, // 65 ÷ (10/7)
      alerts: { precision: 0.5, resolved: 1, dismissed: 1 },
      purchasing: { cycleTimeDays: 3, ordersReceived: 2 }, // (4 + 2) / 2
      supplierOnTime: { rate: 0.5, onTime: 1, receipts: 2 },
      expiryWriteOff: { value: 5, quantity: 5 },
    });
    expect(
      total.suppliers.map((s: { supplierName: string; leadTime: { driftDays: number | null } }) => [
        s.supplierName,
        s.leadTime.driftDays,
      ]),
    ).toEqual([
      ['S1', 4],
      ['S2', null],
    ]);
    expect(total.backtest).toMatchObject({
      precision: 0.6667,
      recall: 0.6667,
      alertsRaised: 3,
      stockouts: 3,
    });

    // By month the two weeks are one period: 6 + 7 stockout days of 14 + 12 item-location-days.
    const month = (
      await t.app.inject({
        method: 'GET',
        url: '/v1/kpis?from=2025-03-03&to=2025-03-16',
        headers: owner.headers,
      })
    ).json();
    expect(month.granularity).toBe('month');
    expect(month.total.periods).toHaveLength(1);
    expect(month.total.periods[0]).toMatchObject({
      start: '2025-03-03',
      end: '2025-03-16',
      days: 14,
      stockout: { rate: 0.5, stockoutDays: 13, itemLocationDays: 26 },
    });
  });

  it('one site on request; a user limited to a site sees only it; viewers may read', async () => {
    const onlyB = (
      await t.app.inject({ method: 'GET', url: `${URL}&siteId=${siteB}`, headers: owner.headers })
    ).json();
    expect(onlyB.sites.map((s: { siteId: string }) => s.siteId)).toEqual([siteB]);
    expect(onlyB.total.periods).toEqual(onlyB.sites[0].periods);
    expect(onlyB.total.suppliers.map((s: { supplierName: string }) => s.supplierName)).toEqual(['S2']);

    const limited = await member('viewer', [siteA]);
    const mine = await t.app.inject({ method: 'GET', url: URL, headers: limited });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().sites.map((s: { siteId: string }) => s.siteId)).toEqual([siteA]);
    expect(mine.json().total.periods[1].inventory.endValue).toBe(30);
    expect(
      (await t.app.inject({ method: 'GET', url: `${URL}&siteId=${siteB}`, headers: limited })).statusCode,
    ).toBe(404);
  });

  it('validates the range', async () => {
    const bad = await t.app.inject({
      method: 'GET',
      url: '/v1/kpis?from=2025-03-16&to=2025-03-03',
      headers: owner.headers,
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('invalid_range');
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: '/v1/kpis?from=2020-01-01&to=2025-03-03',
          headers: owner.headers,
        })
      ).json().code,
    ).toBe('range_too_long');
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/kpis?granularity=day', headers: owner.headers }))
        .statusCode,
    ).toBe(400);
    const byDefault = (await t.app.inject({ method: 'GET', url: '/v1/kpis', headers: owner.headers })).json();
    expect(byDefault.total.periods).toHaveLength(6);
    // The organisation's local today (its zone is ahead of UTC for part of every UTC day).
    expect(byDefault.to).toBe(await withTenantDb(t.deps.database.db, owner, (tx) => organizationToday(tx)));
  });
});
