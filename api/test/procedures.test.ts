import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { addMember, tenantQuery } from './support/purchasing-fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
let siteA: string;
let theatre: string;
let siteB: string;
let locB: string;
let n = 0;

type Headers = Record<string, string>;
const newItem = () =>
  insertItem(t, owner.organizationId, { code: `KI-${n++}`, packUnits: [{ code: 'pack', factor: 10 }] });

async function newType(
  kit: { itemId: string; quantity: number; unit?: string }[],
  headers: Headers = owner.headers,
) {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/procedure-types',
    headers,
    payload: { code: `PT-${n++}`, nameZh: '手术', nameEn: 'Surgery', kit },
  });
  expect(r.statusCode).toBe(201);
  return r.json() as { id: string; code: string; kit: { itemId: string; quantity: number }[] };
}
async function schedule(body: Record<string, unknown>, headers: Headers = owner.headers) {
  return t.app.inject({
    method: 'POST',
    url: '/v1/scheduled-procedures',
    headers,
    payload: { locationId: theatre, scheduledFor: '2031-03-01', ...body },
  });
}
async function bulk(items: Record<string, unknown>[], headers: Headers = owner.headers) {
  return t.app.inject({ method: 'POST', url: '/v1/scheduled-procedures/bulk', headers, payload: { items } });
}
async function receipt(
  itemId: string,
  quantity: number,
  lotNumber: string,
  expiryDate?: string,
  locationId = theatre,
) {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/movements',
    headers: owner.headers,
    payload: {
      type: 'receipt',
      itemId,
      locationId,
      quantity,
      lotNumber,
      expiryDate,
      // Lots that are already expired are set up on purpose (FEFO must skip them): the explicit override.
      ...(expiryDate && expiryDate < '2026-01-01'
        ? { acceptExpired: true, reason: 'test: an expired lot on the shelf' }
        : {}),
    },
  });
  expect(r.statusCode, r.body).toBe(201);
}
async function onHand(itemId: string, locationId = theatre): Promise<number> {
  const rows = (
    await t.app.inject({
      method: 'GET',
      url: `/v1/stock?groupBy=location&itemId=${itemId}&locationId=${locationId}`,
      headers: owner.headers,
    })
  ).json().items;
  return rows.reduce((s: number, r: { onHand: number }) => s + r.onHand, 0);
}
async function complete(id: string, headers: Headers = owner.headers) {
  return t.app.inject({ method: 'POST', url: `/v1/scheduled-procedures/${id}/complete`, headers });
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ siteId: siteA } = await centralStore(t, owner.headers));
  theatre = (
    await t.app.inject({
      method: 'POST',
      url: `/v1/sites/${siteA}/locations`,
      headers: owner.headers,
      payload: { code: 'OR1', name: 'Theatre 1', kind: 'theatre' },
    })
  ).json().id;
  siteB = (
    await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: owner.headers,
      payload: { code: 'KB', name: 'Site B' },
    })
  ).json().id;
  ({ locationId: locB } = await centralStore(t, owner.headers, siteB));
});
afterAll(async () => t?.close());

describe('procedure types and kits', () => {
  it('stores kit quantities in base units, replaces kits and reports bad kit lines', async () => {
    const a = await newItem();
    const b = await newItem();
    const pt = await newType([
      { itemId: a, quantity: 2, unit: 'pack' },
      { itemId: b, quantity: 3 },
    ]);
    expect(pt.kit.map((k) => [k.itemId, k.quantity])).toEqual([
      [a, 20],
      [b, 3],
    ]);
    const dup = await t.app.inject({
      method: 'POST',
      url: '/v1/procedure-types',
      headers: owner.headers,
      payload: { code: pt.code, nameZh: 'x', nameEn: 'x' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json().code).toBe('code_taken');

    const put = await t.app.inject({
      method: 'PUT',
      url: `/v1/procedure-types/${pt.id}/kit`,
      headers: owner.headers,
      payload: { items: [{ itemId: b, quantity: 1, unit: 'pack' }] },
    });
    expect(put.statusCode).toBe(200);
    expect(put.json().kit.map((k: { itemId: string; quantity: number }) => [k.itemId, k.quantity])).toEqual([
      [b, 10],
    ]);

    const bad = await t.app.inject({
      method: 'PUT',
      url: `/v1/procedure-types/${pt.id}/kit`,
      headers: owner.headers,
      payload: {
        items: [
          { itemId: a, quantity: 0.5 },
          { itemId: '00000000-0000-4000-8000-000000000000', quantity: 1 },
        ],
      },
    });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'body:/items/0/quantity',
      'body:/items/1/itemId',
    ]);
    // The refused replacement left the kit as it was.
    const got = (
      await t.app.inject({ method: 'GET', url: `/v1/procedure-types/${pt.id}`, headers: owner.headers })
    ).json();
    expect(got.kit.map((k: { itemId: string; quantity: number }) => [k.itemId, k.quantity])).toEqual([
      [b, 10],
    ]);
    const list = (
      await t.app.inject({ method: 'GET', url: '/v1/procedure-types?limit=500', headers: owner.headers })
    ).json();
    expect(list.items.map((x: { id: string }) => x.id)).toContain(pt.id);
  });

  it('needs stock:write to define procedures', async () => {
    const viewer = await addMember(t, owner, 'viewer');
    const purchaser = await addMember(t, owner, 'purchaser');
    for (const m of [viewer, purchaser]) {
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/procedure-types',
        headers: m.headers,
        payload: { code: `NO-${n++}`, nameZh: 'x', nameEn: 'x' },
      });
      expect(r.statusCode).toBe(403);
    }
    const nurse = await addMember(t, owner, 'nurse');
    await newType([], nurse.headers);
  });
});

describe('the schedule', () => {
  it('schedules one procedure by type id or code; the site follows the location', async () => {
    const pt = await newType([]);
    const r = await schedule({ procedureTypeId: pt.id, externalRef: `HIS-${n++}` });
    expect(r.statusCode).toBe(201);
    expect(r.json()).toMatchObject({
      procedureTypeId: pt.id,
      procedureTypeCode: pt.code,
      siteId: siteA,
      locationId: theatre,
      scheduledFor: '2031-03-01',
      status: 'scheduled',
    });
    const byCode = await schedule({ procedureTypeCode: pt.code, locationId: locB });
    expect(byCode.json()).toMatchObject({ procedureTypeId: pt.id, siteId: siteB });
    const taken = await schedule({ procedureTypeId: pt.id, externalRef: r.json().externalRef });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('external_ref_taken');
    const noType = await schedule({});
    expect(noType.statusCode).toBe(422);
    const unknownCode = await schedule({ procedureTypeCode: 'NOPE' });
    expect(unknownCode.json().errors[0].field).toBe('body:/procedureTypeCode');
  });

  it('bulk upsert by externalRef is idempotent, updates what changed and never touches done procedures', async () => {
    const pt = await newType([]);
    const pt2 = await newType([]);
    const ref = (i: number) => `BULK-${pt.id.slice(0, 8)}-${i}`;
    const batch = [0, 1, 2].map((i) => ({
      externalRef: ref(i),
      procedureTypeCode: pt.code,
      locationId: theatre,
      scheduledFor: `2031-04-0${i + 1}`,
    }));
    const first = await bulk(batch);
    expect(first.statusCode).toBe(200);
    expect(first.json().summary).toEqual({ created: 3, updated: 0, unchanged: 0, locked: 0 });
    const ids = first.json().items.map((x: { id: string }) => x.id);

    const again = await bulk(batch);
    expect(again.json().summary).toEqual({ created: 0, updated: 0, unchanged: 3, locked: 0 });
    expect(again.json().items.map((x: { id: string }) => x.id)).toEqual(ids);
    const listed = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/scheduled-procedures?procedureTypeId=${pt.id}`,
        headers: owner.headers,
      })
    ).json();
    expect(listed.items).toHaveLength(3);

    const changed = await bulk([
      { ...batch[0]!, scheduledFor: '2031-04-10' },
      { ...batch[1]!, status: 'cancelled' },
      { ...batch[2]!, procedureTypeId: pt2.id, procedureTypeCode: undefined },
    ]);
    expect(changed.json().summary).toEqual({ created: 0, updated: 3, unchanged: 0, locked: 0 });
    const after = (
      await t.app.inject({ method: 'GET', url: `/v1/scheduled-procedures/${ids[0]}`, headers: owner.headers })
    ).json();
    expect(after.scheduledFor).toBe('2031-04-10');
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/scheduled-procedures/${ids[1]}`,
          headers: owner.headers,
        })
      ).json().status,
    ).toBe('cancelled');
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/scheduled-procedures/${ids[2]}`,
          headers: owner.headers,
        })
      ).json().procedureTypeId,
    ).toBe(pt2.id);

    // Done (empty kit) procedures stay as they were whatever the HIS re-posts.
    expect((await complete(ids[0])).statusCode).toBe(200);
    const locked = await bulk([{ ...batch[0]!, scheduledFor: '2031-05-01' }]);
    expect(locked.json().items[0]).toEqual({ externalRef: ref(0), id: ids[0], outcome: 'locked' });
    const done = (
      await t.app.inject({ method: 'GET', url: `/v1/scheduled-procedures/${ids[0]}`, headers: owner.headers })
    ).json();
    expect(done).toMatchObject({ status: 'done', scheduledFor: '2031-04-10' });
  });

  it('the same schedule posted twice at once creates each procedure once', async () => {
    const pt = await newType([]);
    const batch = [0, 1, 2].map((i) => ({
      externalRef: `RACE-${pt.id.slice(0, 8)}-${i}`,
      procedureTypeId: pt.id,
      locationId: theatre,
      scheduledFor: '2031-05-0' + (i + 1),
    }));
    const [r1, r2] = await Promise.all([bulk(batch), bulk(batch)]);
    expect([r1.statusCode, r2.statusCode]).toEqual([200, 200]);
    expect(r1.json().summary.created + r2.json().summary.created).toBe(3);
    expect(r1.json().summary.unchanged + r2.json().summary.unchanged).toBe(3);
    expect(r1.json().items.map((x: { id: string }) => x.id)).toEqual(
      r2.json().items.map((x: { id: string }) => x.id),
    );
    const listed = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/scheduled-procedures?procedureTypeId=${pt.id}`,
        headers: owner.headers,
      })
    ).json();
    expect(listed.items).toHaveLength(3);
  });

  it('validates every row first: one bad row refuses the batch and writes nothing', async () => {
    const pt = await newType([]);
    const ref = `BAD-${pt.id.slice(0, 8)}`;
    const r = await bulk([
      { externalRef: `${ref}-1`, procedureTypeId: pt.id, locationId: theatre, scheduledFor: '2031-06-01' },
      { externalRef: `${ref}-1`, procedureTypeId: pt.id, locationId: theatre, scheduledFor: '2031-06-02' },
      { externalRef: `${ref}-3`, procedureTypeCode: 'NOPE', locationId: theatre, scheduledFor: '2031-06-03' },
      {
        externalRef: `${ref}-4`,
        procedureTypeId: pt.id,
        locationId: '00000000-0000-4000-8000-000000000000',
        scheduledFor: '2031-06-04',
      },
    ]);
    expect(r.statusCode).toBe(422);
    expect(r.json().code).toBe('invalid_rows');
    expect(r.json().errors.map((e: { field: string }) => e.field)).toEqual([
      'body:/items/1/externalRef',
      'body:/items/2/procedureTypeCode',
      'body:/items/3/locationId',
    ]);
    const listed = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/scheduled-procedures?procedureTypeId=${pt.id}`,
        headers: owner.headers,
      })
    ).json();
    expect(listed.items).toHaveLength(0);
    const tooMany = await bulk(
      Array.from({ length: 1001 }, (_, i) => ({
        externalRef: `M-${i}`,
        procedureTypeId: pt.id,
        locationId: theatre,
        scheduledFor: '2031-06-01',
      })),
    );
    expect(tooMany.statusCode).toBe(400);
  });

  it('lists by date range, status and site with cursor pagination', async () => {
    const pt = await newType([]);
    for (const d of ['2031-07-03', '2031-07-01', '2031-07-02', '2031-08-01'])
      await schedule({ procedureTypeId: pt.id, scheduledFor: d });
    await schedule({ procedureTypeId: pt.id, scheduledFor: '2031-07-02', locationId: locB });
    const dates: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/v1/scheduled-procedures?procedureTypeId=${pt.id}&siteId=${siteA}&from=2031-07-01&to=2031-07-31&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const r: { json(): { items: { scheduledFor: string }[]; nextCursor: string | null } } =
        await t.app.inject({ method: 'GET', url, headers: owner.headers });
      dates.push(...r.json().items.map((x: { scheduledFor: string }) => x.scheduledFor));
      cursor = r.json().nextCursor;
    } while (cursor);
    expect(dates).toEqual(['2031-07-01', '2031-07-02', '2031-07-03']);
    const cancelled = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/scheduled-procedures?procedureTypeId=${pt.id}&status=cancelled`,
        headers: owner.headers,
      })
    ).json();
    expect(cancelled.items).toHaveLength(0);
  });
});

describe('completing a procedure issues its kit', () => {
  it('issues each kit item FEFO from the procedure location, skipping expired lots, and links the movements', async () => {
    const sutures = await newItem();
    const drapes = await newItem();
    await receipt(sutures, 10, 'LATE', '2031-06-30');
    await receipt(sutures, 10, 'EARLY', '2029-03-31');
    await receipt(sutures, 10, 'OLD', '2020-01-31');
    await receipt(drapes, 5, 'D1');
    const pt = await newType([
      { itemId: sutures, quantity: 15 },
      { itemId: drapes, quantity: 2 },
    ]);
    const sp = (await schedule({ procedureTypeId: pt.id })).json();
    const r = await complete(sp.id);
    expect(r.statusCode).toBe(200);
    expect(r.json().procedure.status).toBe('done');
    expect(r.json().procedure.doneAt).not.toBeNull();
    const byItem = (id: string) =>
      r
        .json()
        .movements.filter((m: { itemId: string }) => m.itemId === id)
        .map((m: { lotNumber: string; quantity: number }) => [m.lotNumber, m.quantity]);
    expect(byItem(sutures)).toEqual([
      ['EARLY', -10],
      ['LATE', -5],
    ]);
    expect(byItem(drapes)).toEqual([['D1', -2]]);
    expect(await onHand(sutures)).toBe(15); // 5 LATE + 10 expired OLD
    expect(await onHand(drapes)).toBe(3);
    const linked = await tenantQuery<{ c: number }>(
      t,
      owner.organizationId,
      sql`select count(*)::int as c from movements where scheduled_procedure_id = ${sp.id} and type = 'issue'`,
    );
    expect(linked[0]!.c).toBe(3);

    const twice = await complete(sp.id);
    expect(twice.statusCode).toBe(409);
    expect(twice.json().code).toBe('invalid_transition');
    expect(await onHand(sutures)).toBe(15);
  });

  it('refuses when any kit item is short, lists every shortage and changes nothing', async () => {
    const plenty = await newItem();
    const scarce = await newItem();
    const expiredOnly = await newItem();
    await receipt(plenty, 50, 'P');
    await receipt(scarce, 1, 'S');
    await receipt(expiredOnly, 9, 'X', '2020-01-01');
    const pt = await newType([
      { itemId: plenty, quantity: 5 },
      { itemId: scarce, quantity: 2 },
      { itemId: expiredOnly, quantity: 1 },
    ]);
    const sp = (await schedule({ procedureTypeId: pt.id })).json();
    const r = await complete(sp.id);
    expect(r.statusCode).toBe(409);
    expect(r.json().code).toBe('insufficient_stock');
    expect(
      r
        .json()
        .shortages.map((s: { itemId: string; required: number; available: number }) => [
          s.itemId,
          s.required,
          s.available,
        ])
        .sort(),
    ).toEqual(
      [
        [scarce, 2, 1],
        [expiredOnly, 1, 0],
      ].sort(),
    );
    expect(await onHand(plenty)).toBe(50);
    expect(await onHand(scarce)).toBe(1);
    const got = (
      await t.app.inject({ method: 'GET', url: `/v1/scheduled-procedures/${sp.id}`, headers: owner.headers })
    ).json();
    expect(got.status).toBe('scheduled');
    const linked = await tenantQuery<{ c: number }>(
      t,
      owner.organizationId,
      sql`select count(*)::int as c from movements where scheduled_procedure_id = ${sp.id}`,
    );
    expect(linked[0]!.c).toBe(0);
  });

  it('two concurrent completions issue the kit once', async () => {
    const item = await newItem();
    await receipt(item, 10, 'C');
    const pt = await newType([{ itemId: item, quantity: 3 }]);
    const sp = (await schedule({ procedureTypeId: pt.id })).json();
    const results = await Promise.all([complete(sp.id), complete(sp.id), complete(sp.id)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 409, 409]);
    expect(await onHand(item)).toBe(7);
  });

  it('cancels only scheduled procedures; cancelled ones cannot be completed', async () => {
    const pt = await newType([]);
    const sp = (await schedule({ procedureTypeId: pt.id })).json();
    const c = await t.app.inject({
      method: 'POST',
      url: `/v1/scheduled-procedures/${sp.id}/cancel`,
      headers: owner.headers,
    });
    expect(c.statusCode).toBe(200);
    expect(c.json().status).toBe('cancelled');
    expect((await complete(sp.id)).json()).toMatchObject({
      code: 'invalid_transition',
      currentStatus: 'cancelled',
    });
    const doneSp = (await schedule({ procedureTypeId: pt.id })).json();
    await complete(doneSp.id);
    const cancelDone = await t.app.inject({
      method: 'POST',
      url: `/v1/scheduled-procedures/${doneSp.id}/cancel`,
      headers: owner.headers,
    });
    expect(cancelDone.statusCode).toBe(409);
  });
});

describe('planned demand', () => {
  it('sums kit quantity × scheduled procedures per date, item and location', async () => {
    const a = await newItem();
    const b = await newItem();
    const x = await newType([
      { itemId: a, quantity: 2 },
      { itemId: b, quantity: 1 },
    ]);
    const y = await newType([{ itemId: a, quantity: 5 }]);
    const d1 = '2032-01-10';
    const d2 = '2032-01-11';
    await schedule({ procedureTypeId: x.id, scheduledFor: d1 });
    await schedule({ procedureTypeId: x.id, scheduledFor: d1 });
    await schedule({ procedureTypeId: y.id, scheduledFor: d1 });
    await schedule({ procedureTypeId: x.id, scheduledFor: d2 });
    await schedule({ procedureTypeId: x.id, scheduledFor: d2, locationId: locB });
    await schedule({ procedureTypeId: x.id, scheduledFor: '2032-02-01' }); // outside the range
    const cancelled = (await schedule({ procedureTypeId: x.id, scheduledFor: d1 })).json();
    await t.app.inject({
      method: 'POST',
      url: `/v1/scheduled-procedures/${cancelled.id}/cancel`,
      headers: owner.headers,
    });

    const r = await t.app.inject({
      method: 'GET',
      url: `/v1/planned-demand?siteId=${siteA}&from=2032-01-01&to=2032-01-31`,
      headers: owner.headers,
    });
    expect(r.statusCode).toBe(200);
    const rows = r
      .json()
      .items.map(
        (i: { date: string; itemId: string; quantity: number; procedures: number; locationId: string }) => [
          i.date,
          i.itemId === a ? 'a' : 'b',
          i.quantity,
          i.procedures,
          i.locationId,
        ],
      );
    expect(rows.sort()).toEqual(
      [
        [d1, 'a', 9, 3, theatre],
        [d1, 'b', 2, 2, theatre],
        [d2, 'a', 2, 1, theatre],
        [d2, 'b', 1, 1, theatre],
      ].sort(),
    );
    const totals = Object.fromEntries(
      r.json().totals.map((t: { itemId: string; quantity: number }) => [t.itemId, t.quantity]),
    );
    expect(totals).toEqual({ [a]: 11, [b]: 3 });

    const everywhere = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/planned-demand?itemId=${b}&from=2032-01-11&to=2032-01-11`,
        headers: owner.headers,
      })
    ).json();
    expect(
      everywhere.items
        .map((i: { locationId: string; quantity: number }) => [i.locationId, i.quantity])
        .sort(),
    ).toEqual(
      [
        [locB, 1],
        [theatre, 1],
      ].sort(),
    );

    const backwards = await t.app.inject({
      method: 'GET',
      url: '/v1/planned-demand?from=2032-01-10&to=2032-01-01',
      headers: owner.headers,
    });
    expect(backwards.statusCode).toBe(422);
    const tooLong = await t.app.inject({
      method: 'GET',
      url: '/v1/planned-demand?from=2032-01-01&to=2033-06-01',
      headers: owner.headers,
    });
    expect(tooLong.json().code).toBe('range_too_long');
  });
});

describe('site limits', () => {
  it('a nurse limited to site A schedules, sees and completes only site A procedures', async () => {
    const nurse = await addMember(t, owner, 'nurse', [siteA]);
    const pt = await newType([]);
    const atB = await schedule({ procedureTypeId: pt.id, locationId: locB }, nurse.headers);
    expect(atB.statusCode).toBe(422);
    const bulkB = await bulk(
      [{ externalRef: `NB-${n++}`, procedureTypeId: pt.id, locationId: locB, scheduledFor: '2031-09-01' }],
      nurse.headers,
    );
    expect(bulkB.statusCode).toBe(422);
    const ownerB = (
      await schedule({ procedureTypeId: pt.id, locationId: locB, externalRef: `OB-${n++}` })
    ).json();
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/scheduled-procedures/${ownerB.id}`,
          headers: nurse.headers,
        })
      ).statusCode,
    ).toBe(404);
    expect((await complete(ownerB.id, nurse.headers)).statusCode).toBe(404);
    expect(
      (
        await t.app.inject({
          method: 'POST',
          url: `/v1/scheduled-procedures/${ownerB.id}/cancel`,
          headers: nurse.headers,
        })
      ).statusCode,
    ).toBe(404);
    // Re-posting B's externalRef cannot move B's procedure into site A.
    const hijack = await bulk(
      [
        {
          externalRef: ownerB.externalRef,
          procedureTypeId: pt.id,
          locationId: theatre,
          scheduledFor: '2031-09-01',
        },
      ],
      nurse.headers,
    );
    expect(hijack.statusCode).toBe(422);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/scheduled-procedures/${ownerB.id}`,
          headers: owner.headers,
        })
      ).json().siteId,
    ).toBe(siteB);

    const own = await schedule({ procedureTypeId: pt.id }, nurse.headers);
    expect(own.statusCode).toBe(201);
    const list = (
      await t.app.inject({
        method: 'GET',
        url: `/v1/scheduled-procedures?procedureTypeId=${pt.id}`,
        headers: nurse.headers,
      })
    ).json();
    expect(list.items.map((x: { id: string }) => x.id)).toEqual([own.json().id]);
    expect(
      (
        await t.app.inject({
          method: 'GET',
          url: `/v1/planned-demand?siteId=${siteB}`,
          headers: nurse.headers,
        })
      ).statusCode,
    ).toBe(404);
    expect((await complete(own.json().id, nurse.headers)).statusCode).toBe(200);
  });
});
