import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore, insertItem } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import { tenantQuery } from './support/purchasing-fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Master data kept in the web (issue 11): items' 医保耗材编码 and UDI-DI, GTINs linked after an
 * unknown scan, Chinese site and supplier codes, renaming and deactivating locations and sites,
 * removing a member with a reason, and the item stock card (台账) — with roles and site limits.
 */
type Headers = Record<string, string>;

let t: TestApp;
let owner: SignedUp;
let siteA: string;
let locA: string;
let siteB: string;
let locB: string;
let n = 0;

const inject = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  url: string,
  headers: Headers,
  payload?: unknown,
) => t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
const zh = (h: Headers): Headers => ({ ...h, 'accept-language': 'zh-CN' });

async function receive(
  itemId: string,
  locationId: string,
  quantity: number,
  lotNumber: string,
  headers = owner.headers,
) {
  const r = await inject('POST', '/v1/movements', headers, {
    type: 'receipt',
    itemId,
    locationId,
    quantity,
    lotNumber,
    expiryDate: '2031-06-30',
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json();
}

async function newLocation(siteId: string, code: string, name = code) {
  const r = await inject('POST', `/v1/sites/${siteId}/locations`, owner.headers, {
    code,
    name,
    kind: 'ward',
  });
  expect(r.statusCode, r.body).toBe(201);
  return r.json() as { id: string; name: string; active: boolean };
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ siteId: siteA, locationId: locA } = await centralStore(t, owner.headers));
  const b = await inject('POST', '/v1/sites', owner.headers, { code: '二院', name: '第二院区' });
  expect(b.statusCode, b.body).toBe(201);
  siteB = b.json().id;
  ({ locationId: locB } = await centralStore(t, owner.headers, siteB));
});
afterAll(async () => t?.close());

describe('items: 医保耗材编码 and UDI-DI', () => {
  const base = () => ({
    code: `MD-${n++}`,
    nameZh: '一次性使用无菌注射器',
    nameEn: 'Sterile syringe',
    baseUnit: { code: 'piece', zh: '支', en: 'piece' },
  });

  it('stores both codes (the NHSA code upper-cased), returns them, finds the item by them, and clears them', async () => {
    const created = await inject('POST', '/v1/items', owner.headers, {
      ...base(),
      nhsaCode: ' c1401010770000010475 ',
      udiDi: '06901234567892',
    });
    expect(created.statusCode, created.body).toBe(201);
    const item = created.json();
    expect(item.nhsaCode).toBe('C1401010770000010475');
    expect(item.udiDi).toBe('06901234567892');
    expect(item.gtins).toEqual([]);

    const found = await inject('GET', '/v1/items?q=C1401010770000010475', owner.headers);
    expect(found.json().items.map((i: { id: string }) => i.id)).toEqual([item.id]);

    const full = await inject('PATCH', `/v1/items/${item.id}`, owner.headers, {
      nhsaCode: 'C14010107700000104751234567',
    });
    expect(full.statusCode, full.body).toBe(200);
    expect(full.json().nhsaCode).toBe('C14010107700000104751234567');
    expect(full.json().udiDi).toBe('06901234567892');

    const cleared = await inject('PATCH', `/v1/items/${item.id}`, owner.headers, {
      nhsaCode: null,
      udiDi: '',
    });
    expect(cleared.json().nhsaCode).toBeNull();
    expect(cleared.json().udiDi).toBeNull();
    expect((await inject('GET', `/v1/items/${item.id}`, owner.headers)).json().nhsaCode).toBeNull();
  });

  it.each([
    [{ nhsaCode: 'C123' }, 'invalid_nhsa_code', 'body:/nhsaCode'],
    [{ nhsaCode: 'X1401010770000010475' }, 'invalid_nhsa_code', 'body:/nhsaCode'],
    [{ udiDi: 'has space' }, 'invalid_udi_di', 'body:/udiDi'],
    [{ udiDi: '06901234567899' }, 'invalid_udi_di', 'body:/udiDi'],
    [{ udiDi: 'x'.repeat(61) }, 'invalid_udi_di', 'body:/udiDi'],
  ])('refuses %j with 422 %s, in Chinese when asked', async (codes, code, field) => {
    const r = await inject('POST', '/v1/items', zh(owner.headers), { ...base(), ...codes });
    expect(r.statusCode, r.body).toBe(422);
    expect(r.json().code).toBe(code);
    expect(r.json().errors[0].field).toBe(field);
    expect(r.json().title).toMatch(/[\u4e00-\u9fff]/);
  });

  it('lets only purchasing and admin change items', async () => {
    const keeper = await addMember(t, owner.headers, 'storekeeper');
    const r = await inject('POST', '/v1/items', keeper.headers, {
      ...base(),
      nhsaCode: 'C1401010770000010475',
    });
    expect(r.statusCode).toBe(403);
  });
});

describe('linking an unknown scanned GTIN to an item', () => {
  it('an unknown scan names its GTIN; once linked (with its pack unit) the scan finds the item', async () => {
    const itemId = await insertItem(t, owner.organizationId, {
      code: `GL-${n++}`,
      packUnits: [{ code: 'box', factor: 10 }],
    });
    const keeper = await addMember(t, owner.headers, 'storekeeper', [siteA]);
    const scan = '(01)09501101530003(10)LINK1(17)310630';
    const unknown = await inject('POST', '/v1/movements', keeper.headers, {
      type: 'receipt',
      scan,
      locationId: locA,
      quantity: 3,
    });
    expect(unknown.statusCode, unknown.body).toBe(422);
    expect(unknown.json().code).toBe('unknown_item');
    expect(unknown.json().params.gtin).toBe('09501101530003');

    // The storekeeper at the scanner may link it: they hold the box.
    const linked = await inject('POST', `/v1/items/${itemId}/gtins`, keeper.headers, {
      gtin: '9501101530003',
      unit: 'box',
    });
    expect(linked.statusCode, linked.body).toBe(201);
    expect(linked.json().gtins).toEqual([{ gtin: '09501101530003', unitCode: 'box' }]);
    const linkedEvents = await tenantQuery<{ payload: Record<string, unknown> }>(
      t,
      owner.organizationId,
      sql`select payload from events where type = 'item.gtin_linked' and payload->>'itemId' = ${itemId}`,
    );
    expect(linkedEvents.map((e) => e.payload)).toEqual([
      expect.objectContaining({ gtin: '09501101530003', unit: 'box', linkedBy: keeper.id }),
    ]);

    const known = await inject('POST', '/v1/movements', keeper.headers, {
      type: 'receipt',
      scan,
      locationId: locA,
      quantity: 3,
    });
    expect(known.statusCode, known.body).toBe(201);
    expect(known.json().movements[0].itemId).toBe(itemId);
    // Typed GTIN and catalogue search find it too.
    const search = await inject('GET', '/v1/items?q=09501101530003', owner.headers);
    expect(search.json().items.map((i: { id: string }) => i.id)).toEqual([itemId]);

    // Linking it again to the same item only changes the unit; to another item is refused.
    const again = await inject('POST', `/v1/items/${itemId}/gtins`, owner.headers, {
      gtin: '09501101530003',
    });
    expect(again.statusCode).toBe(201);
    expect(again.json().gtins).toEqual([{ gtin: '09501101530003', unitCode: null }]);
    const other = await insertItem(t, owner.organizationId, { code: `GL-${n++}`, gtin: '04006381333931' });
    const taken = await inject('POST', `/v1/items/${other}/gtins`, zh(owner.headers), {
      gtin: '09501101530003',
    });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().code).toBe('gtin_taken');
    expect(taken.json().params).toMatchObject({ gtin: '09501101530003' });
    expect(taken.json().detail).toContain('09501101530003');
    // Nor may an item take another item's main GTIN as a further one, nor by PATCH.
    const main = await inject('POST', `/v1/items/${itemId}/gtins`, owner.headers, { gtin: '04006381333931' });
    expect(main.statusCode).toBe(409);
    const patched = await inject('PATCH', `/v1/items/${other}`, owner.headers, { gtin: '09501101530003' });
    expect(patched.statusCode).toBe(409);
    expect(patched.json().code).toBe('gtin_taken');
  });

  it('refuses a unit the item lacks, a wrong check digit, and callers without stock or purchasing rights', async () => {
    const itemId = await insertItem(t, owner.organizationId, { code: `GL-${n++}` });
    const unit = await inject('POST', `/v1/items/${itemId}/gtins`, owner.headers, {
      gtin: '05012345678900',
      unit: 'crate',
    });
    expect(unit.statusCode).toBe(422);
    expect(unit.json().code).toBe('gtin_unit_unknown');
    const digit = await inject('POST', `/v1/items/${itemId}/gtins`, owner.headers, {
      gtin: '05012345678901',
    });
    expect(digit.statusCode).toBe(422);
    expect(digit.json().code).toBe('gs1_check_digit');
    const viewer = await addMember(t, owner.headers, 'viewer');
    const refused = await inject('POST', `/v1/items/${itemId}/gtins`, viewer.headers, {
      gtin: '05012345678900',
    });
    expect(refused.statusCode).toBe(403);
  });

  it('unlinks a further GTIN (purchasing or admin), 404 for one the item lacks', async () => {
    const itemId = await insertItem(t, owner.organizationId, { code: `GL-${n++}` });
    expect(
      (await inject('POST', `/v1/items/${itemId}/gtins`, owner.headers, { gtin: '05012345678900' }))
        .statusCode,
    ).toBe(201);
    const keeper = await addMember(t, owner.headers, 'storekeeper');
    expect(
      (await inject('DELETE', `/v1/items/${itemId}/gtins/05012345678900`, keeper.headers)).statusCode,
    ).toBe(403);
    expect(
      (await inject('DELETE', `/v1/items/${itemId}/gtins/5012345678900`, owner.headers)).statusCode,
    ).toBe(204);
    expect((await inject('GET', `/v1/items/${itemId}`, owner.headers)).json().gtins).toEqual([]);
    expect(
      (await inject('DELETE', `/v1/items/${itemId}/gtins/05012345678900`, owner.headers)).statusCode,
    ).toBe(404);
  });
});

describe('Chinese site, location and supplier codes', () => {
  it('accepts letters of any script and refuses control characters, spaces and over-long codes', async () => {
    expect(siteB).toBeTruthy();
    const loc = await inject('POST', `/v1/sites/${siteB}/locations`, owner.headers, {
      code: '内科-3',
      name: '内科三病区',
    });
    expect(loc.statusCode, loc.body).toBe(201);
    expect(loc.json().code).toBe('内科-3');
    const sup = await inject('POST', '/v1/suppliers', owner.headers, {
      code: '国药控股',
      name: '国药控股股份有限公司',
    });
    expect(sup.statusCode, sup.body).toBe(201);
    for (const code of ['国药\u0000', '国药\n', ' 国药', '国 药', '\u202e国药', '-国药', 'x'.repeat(61)]) {
      const r = await inject('POST', '/v1/suppliers', owner.headers, { code, name: 'x' });
      expect(r.statusCode, JSON.stringify(code)).toBe(400);
      expect(r.json().errors[0].field).toBe('body:/code');
    }
    const site = await inject('POST', '/v1/sites', owner.headers, { code: '一院\t', name: 'x' });
    expect(site.statusCode).toBe(400);
  });
});

describe('locations and sites: rename, deactivate', () => {
  it('renames a location; refuses to deactivate it while it holds stock; a deactivated one takes no movements', async () => {
    const item = await insertItem(t, owner.organizationId, { code: `LD-${n++}` });
    const ward = await newLocation(siteA, `W${n++}`, 'Ward 3');
    const renamed = await inject('PATCH', `/v1/locations/${ward.id}`, owner.headers, {
      name: '三病区',
      kind: 'ward',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ id: ward.id, name: '三病区', active: true });

    await receive(item, ward.id, 4, 'LD1');
    const full = await inject('PATCH', `/v1/locations/${ward.id}`, zh(owner.headers), { active: false });
    expect(full.statusCode).toBe(409);
    expect(full.json().code).toBe('location_has_stock');
    expect(full.json().params).toEqual({ name: '三病区', onHand: 4 });
    expect(full.json().detail).toContain('三病区');

    const out = await inject('POST', '/v1/movements', owner.headers, {
      type: 'write_off',
      itemId: item,
      locationId: ward.id,
      quantity: 4,
      reason: 'damaged',
    });
    expect(out.statusCode, out.body).toBe(201);
    const off = await inject('PATCH', `/v1/locations/${ward.id}`, owner.headers, { active: false });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json().active).toBe(false);

    const refused = await inject('POST', '/v1/movements', zh(owner.headers), {
      type: 'receipt',
      itemId: item,
      locationId: ward.id,
      quantity: 1,
      lotNumber: 'LD2',
      expiryDate: '2031-06-30',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().code).toBe('location_inactive');
    expect(refused.json().errors[0].field).toBe('body:/locationId');
    expect(refused.json().title).toMatch(/[\u4e00-\u9fff]/);
    const listed = await inject('GET', `/v1/sites/${siteA}/locations`, owner.headers);
    expect(listed.json().items.find((l: { id: string }) => l.id === ward.id).active).toBe(false);

    const back = await inject('PATCH', `/v1/locations/${ward.id}`, owner.headers, { active: true });
    expect(back.json().active).toBe(true);
    // Each accepted change is a location.updated event (the refused one is not).
    const events = await tenantQuery<{ payload: { active: boolean; name: string; changes: string[] } }>(
      t,
      owner.organizationId,
      sql`select payload from events where type = 'location.updated' and payload->>'locationId' = ${ward.id} order by created_at, id`,
    );
    expect(events.map((e) => [e.payload.name, e.payload.active, e.payload.changes])).toEqual([
      ['三病区', true, ['name', 'kind']],
      ['三病区', false, ['active']],
      ['三病区', true, ['active']],
    ]);
    await receive(item, ward.id, 1, 'LD2');
  });

  it('a deactivated site refuses movements at its locations and must be empty first', async () => {
    const item = await insertItem(t, owner.organizationId, { code: `LD-${n++}` });
    const s = await inject('POST', '/v1/sites', owner.headers, { code: `S${n++}`, name: '东院' });
    const siteId = s.json().id as string;
    const { locationId } = await centralStore(t, owner.headers, siteId);
    await receive(item, locationId, 2, 'SD1');
    const full = await inject('PATCH', `/v1/sites/${siteId}`, owner.headers, { active: false });
    expect(full.statusCode).toBe(409);
    expect(full.json().code).toBe('site_has_stock');
    await inject('POST', '/v1/movements', owner.headers, {
      type: 'write_off',
      itemId: item,
      locationId,
      quantity: 2,
      reason: 'expired',
    });
    expect((await inject('PATCH', `/v1/sites/${siteId}`, owner.headers, { active: false })).statusCode).toBe(
      200,
    );
    const siteEvents = await tenantQuery<{ payload: { active: boolean } }>(
      t,
      owner.organizationId,
      sql`select payload from events where type = 'site.updated' and payload->>'siteId' = ${siteId}`,
    );
    expect(siteEvents.map((e) => e.payload.active)).toEqual([false]);
    const refused = await inject('POST', '/v1/movements', owner.headers, {
      type: 'receipt',
      itemId: item,
      locationId,
      quantity: 1,
      lotNumber: 'SD2',
      expiryDate: '2031-06-30',
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().code).toBe('location_inactive');
  });

  it('needs the admin scope, and a site-limited admin cannot see or change another site’s location', async () => {
    const ward = await newLocation(siteB, `W${n++}`);
    const keeper = await addMember(t, owner.headers, 'storekeeper');
    expect(
      (await inject('PATCH', `/v1/locations/${ward.id}`, keeper.headers, { name: 'x' })).statusCode,
    ).toBe(403);
    const limited = await addMember(t, owner.headers, 'admin', [siteA]);
    const hidden = await inject('PATCH', `/v1/locations/${ward.id}`, limited.headers, { name: 'x' });
    expect(hidden.statusCode).toBe(404);
    const mine = await newLocation(siteA, `W${n++}`);
    expect(
      (await inject('PATCH', `/v1/locations/${mine.id}`, limited.headers, { name: '手术室' })).statusCode,
    ).toBe(200);
    const unknown = await inject(
      'PATCH',
      '/v1/locations/00000000-0000-4000-8000-000000000000',
      owner.headers,
      {
        name: 'x',
      },
    );
    expect(unknown.statusCode).toBe(404);
    expect((await inject('PATCH', `/v1/locations/${mine.id}`, owner.headers, {})).statusCode).toBe(400);
  });
});

describe('removing a member with a reason', () => {
  it('keeps the reason with who removed them and when, for admins only; a blank reason is refused', async () => {
    const leaver = await addMember(t, owner.headers, 'nurse');
    const blank = await inject('DELETE', `/v1/users/${leaver.id}`, owner.headers, { reason: '   ' });
    expect(blank.statusCode).toBe(400);
    const keeper = await addMember(t, owner.headers, 'storekeeper');
    expect((await inject('GET', '/v1/users/removals', keeper.headers)).statusCode).toBe(403);
    expect(
      (await inject('DELETE', `/v1/users/${leaver.id}`, keeper.headers, { reason: 'no' })).statusCode,
    ).toBe(403);

    const removed = await inject('DELETE', `/v1/users/${leaver.id}`, owner.headers, {
      reason: '调往其他医院',
    });
    expect(removed.statusCode, removed.body).toBe(204);
    const users = await inject('GET', '/v1/users', owner.headers);
    expect(users.json().items.some((u: { id: string }) => u.id === leaver.id)).toBe(false);
    const list = await inject('GET', '/v1/users/removals', owner.headers);
    expect(list.statusCode).toBe(200);
    expect(list.json().items[0]).toMatchObject({
      userId: leaver.id,
      email: leaver.email,
      role: 'nurse',
      reason: '调往其他医院',
      removedBy: owner.userId,
      removedByName: expect.any(String),
    });
    // Their session ended with the membership.
    expect((await inject('GET', '/v1/me', leaver.headers)).statusCode).toBe(401);

    // An integration may remove without a body: recorded without a reason.
    const silent = await addMember(t, owner.headers, 'viewer');
    expect((await inject('DELETE', `/v1/users/${silent.id}`, owner.headers)).statusCode).toBe(204);
    const after = (await inject('GET', '/v1/users/removals', owner.headers)).json();
    expect(after.items[0]).toMatchObject({ userId: silent.id, reason: null });
  });
});

describe('item stock card (台账)', () => {
  let item: string;
  beforeAll(async () => {
    item = await insertItem(t, owner.organizationId, { code: `SC-${n++}` });
    await receive(item, locA, 10, 'SC-A1');
    await receive(item, locA, 5, 'SC-A2');
    await receive(item, locB, 7, 'SC-B1');
    const issued = await inject('POST', '/v1/movements', owner.headers, {
      type: 'issue',
      itemId: item,
      locationId: locA,
      quantity: 3,
      lotNumber: 'SC-A1',
      reference: 'REQ-42',
    });
    expect(issued.statusCode, issued.body).toBe(201);
  });

  it('shows stock by lot and location, on-hand day by day, and every movement with who, balance and reference', async () => {
    const card = await inject('GET', `/v1/items/${item}/stock-card`, owner.headers);
    expect(card.statusCode, card.body).toBe(200);
    const c = card.json();
    expect(c.onHand).toBe(19);
    expect(
      c.lots.map((l: { lotNumber: string; onHand: number; siteId: string }) => [
        l.lotNumber,
        l.onHand,
        l.siteId,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['SC-A1', 7, siteA],
        ['SC-A2', 5, siteA],
        ['SC-B1', 7, siteB],
      ]),
    );
    expect(c.lots).toHaveLength(3);
    // All movements today: the window opens at 0 (nothing before), today holds 19.
    expect(c.history).toHaveLength(2);
    expect(c.history[0].onHand).toBe(0);
    expect(c.history[1].onHand).toBe(19);
    expect(c.history[0].day < c.history[1].day).toBe(true);
    const short = (await inject('GET', `/v1/items/${item}/stock-card?days=7`, owner.headers)).json();
    const days = (a: string, b: string) => (Date.parse(b) - Date.parse(a)) / 86_400_000;
    expect(days(short.history[0].day, short.history[1].day)).toBe(7);

    const page1 = await inject('GET', `/v1/items/${item}/stock-card/movements?limit=2`, owner.headers);
    expect(page1.statusCode, page1.body).toBe(200);
    const p1 = page1.json();
    expect(p1.items).toHaveLength(2);
    expect(p1.items[0]).toMatchObject({
      type: 'issue',
      quantity: -3,
      balance: 19,
      reference: 'REQ-42',
      lotNumber: 'SC-A1',
      actorId: owner.userId,
      actorName: expect.any(String),
    });
    expect(p1.nextCursor).toBeTruthy();
    const page2 = await inject(
      'GET',
      `/v1/items/${item}/stock-card/movements?limit=2&cursor=${p1.nextCursor}`,
      owner.headers,
    );
    const p2 = page2.json();
    expect(p2.items).toHaveLength(2);
    expect(p2.nextCursor).toBeNull();
    const all = [...p1.items, ...p2.items];
    expect(new Set(all.map((m: { id: number }) => m.id)).size).toBe(4);
    expect(all.map((m: { balance: number }) => m.balance)).toEqual([19, 22, 15, 10]);
  });

  it('narrows to a site or location, and shows a site-limited viewer only their sites', async () => {
    const atB = (await inject('GET', `/v1/items/${item}/stock-card?siteId=${siteB}`, owner.headers)).json();
    expect(atB.onHand).toBe(7);
    const atLocA = (
      await inject('GET', `/v1/items/${item}/stock-card/movements?locationId=${locA}`, owner.headers)
    ).json();
    expect(atLocA.items).toHaveLength(3);
    expect(atLocA.items[0].balance).toBe(12);

    const viewer = await addMember(t, owner.headers, 'viewer', [siteA]);
    const card = (await inject('GET', `/v1/items/${item}/stock-card`, viewer.headers)).json();
    expect(card.onHand).toBe(12);
    expect(card.lots.every((l: { siteId: string }) => l.siteId === siteA)).toBe(true);
    const moves = (await inject('GET', `/v1/items/${item}/stock-card/movements`, viewer.headers)).json();
    expect(moves.items.every((m: { siteId: string }) => m.siteId === siteA)).toBe(true);
    expect(moves.items).toHaveLength(3);
    expect(
      (await inject('GET', `/v1/items/${item}/stock-card?siteId=${siteB}`, viewer.headers)).statusCode,
    ).toBe(404);
    expect(
      (await inject('GET', `/v1/items/${item}/stock-card/movements?siteId=${siteB}`, viewer.headers))
        .statusCode,
    ).toBe(404);
  });

  it('draws on-hand day by day from back-dated movements, opening with the balance before the window', async () => {
    const dated = await insertItem(t, owner.organizationId, { code: `SC-${n++}` });
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
    for (const [ago, qty] of [
      [40, 6],
      [10, 5],
    ] as const) {
      const r = await inject('POST', '/v1/movements', owner.headers, {
        type: 'receipt',
        itemId: dated,
        locationId: locA,
        quantity: qty,
        lotNumber: `D${ago}`,
        expiryDate: '2031-06-30',
        occurredAt: daysAgo(ago),
      });
      expect(r.statusCode, r.body).toBe(201);
    }
    const card = (await inject('GET', `/v1/items/${dated}/stock-card?days=30`, owner.headers)).json();
    expect(card.history.map((p: { onHand: number }) => p.onHand)).toEqual([6, 11, 11]);
    const wide = (await inject('GET', `/v1/items/${dated}/stock-card?days=60`, owner.headers)).json();
    expect(wide.history.map((p: { onHand: number }) => p.onHand)).toEqual([0, 6, 11, 11]);
  });

  it('is empty for an item without movements, and 404 for an unknown item', async () => {
    const fresh = await insertItem(t, owner.organizationId, { code: `SC-${n++}` });
    const card = (await inject('GET', `/v1/items/${fresh}/stock-card`, owner.headers)).json();
    expect(card).toMatchObject({ onHand: 0, lots: [], history: [] });
    expect(
      (await inject('GET', '/v1/items/00000000-0000-4000-8000-000000000000/stock-card', owner.headers))
        .statusCode,
    ).toBe(404);
    expect(
      (await inject('GET', `/v1/items/${fresh}/stock-card/movements?cursor=bad`, owner.headers)).statusCode,
    ).toBe(400);
  });
});
