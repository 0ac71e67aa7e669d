import { readFileSync } from 'node:fs';
import { type CatalogueTemplate, gtinCheckDigit } from '@medstock/core';
import { applyCatalogueTemplate, findCatalogueTemplate, type SqlRunner, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore } from './support/fixtures.ts';
import { addMember } from './support/members.ts';
import {
  bearer,
  PASSWORD,
  type SignedUp,
  signUp,
  startTestApp,
  type TestApp,
  uniqueEmail,
} from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
let siteA: string;
let locA: string;
let n = 0;

const TEMPLATE_CODES = ['community-health-centre', 'small-hospital-theatre', 'dental-outpatient'] as const;
const templateFile = (code: string): CatalogueTemplate =>
  JSON.parse(readFileSync(new URL(`../../db/catalogue-templates/${code}.json`, import.meta.url), 'utf8'));

/** A valid GTIN-13 outside the templates' 695 prefix, unique per call. */
function gtin13(): string {
  const body = `20000${String(1_000_000 + n++).padStart(7, '0')}`;
  return `${body}${gtinCheckDigit(body)}`;
}

const boxed = (extra: Record<string, unknown> = {}) => ({
  code: `T-${n++}`,
  nameZh: '一次性注射器',
  nameEn: 'Disposable syringe',
  specification: '5ml 带针',
  category: 'injection',
  baseUnit: { code: 'piece', zh: '支', en: 'piece' },
  packUnits: [
    { code: 'box', zh: '盒', en: 'box', factor: 100 },
    { code: 'pack', zh: '包', en: 'pack', factor: 10 },
  ],
  ved: 'V',
  unitCost: 0.35,
  ...extra,
});

type Res = { statusCode: number; headers: Record<string, unknown>; json(): any };
function expectProblem(res: Res, status: number, code: string) {
  expect(res.statusCode, JSON.stringify(res.json())).toBe(status);
  expect(String(res.headers['content-type'])).toContain('application/problem+json');
  const body = res.json();
  expect(body).toMatchObject({ status, code });
  return body;
}

const get = (url: string, headers: Record<string, string> = owner.headers) =>
  t.app.inject({ method: 'GET', url, headers });
const send = (
  method: 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = owner.headers,
) => t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });

async function createItem(extra: Record<string, unknown> = {}, headers = owner.headers) {
  const res = await send('POST', '/v1/items', boxed(extra), headers);
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

async function member(role: string, siteIds: string[] | null = null) {
  return (await addMember(t, owner.headers, role, siteIds)).headers;
}

async function allItems(headers: Record<string, string>, query = '') {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const res = await get(`/v1/items?limit=200${query}${cursor ? `&cursor=${cursor}` : ''}`, headers);
    expect(res.statusCode).toBe(200);
    out.push(...res.json().items);
    cursor = res.json().nextCursor;
  } while (cursor);
  return out;
}

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ siteId: siteA, locationId: locA } = await centralStore(t, owner.headers));
});
afterAll(async () => t?.close());

describe('items', () => {
  it('creates an item with pack units, normalising the GTIN to 14 digits', async () => {
    const gtin = gtin13();
    const res = await send(
      'POST',
      '/v1/items',
      boxed({ gtin, manufacturer: 'ACME 医疗', substituteGroup: 'syringe-5ml' }),
    );
    expect(res.statusCode).toBe(201);
    const item = res.json();
    expect(res.headers.location).toBe(`/v1/items/${item.id}`);
    expect(item).toMatchObject({
      gtin: `0${gtin}`,
      ved: 'V',
      storage: 'room',
      unitCost: 0.35,
      lotTracked: true,
      active: true,
      abc: null,
      templateCode: null,
      baseUnit: { code: 'piece', zh: '支', en: 'piece' },
      suppliers: [],
    });
    // Smallest pack first, whatever order they were given in.
    expect(item.packUnits.map((u: { code: string; factor: number }) => [u.code, u.factor])).toEqual([
      ['pack', 10],
      ['box', 100],
    ]);
    const again = await get(`/v1/items/${item.id}`);
    expect(again.json()).toEqual(item);
  });

  it('refuses a taken code with 409 item_code_taken and a taken GTIN with 409 gtin_taken', async () => {
    const first = await createItem({ gtin: gtin13() });
    expectProblem(await send('POST', '/v1/items', boxed({ code: first.code })), 409, 'item_code_taken');
    expectProblem(await send('POST', '/v1/items', boxed({ gtin: first.gtin })), 409, 'gtin_taken');
    // The 13-digit form of the same GTIN is the same product.
    expectProblem(await send('POST', '/v1/items', boxed({ gtin: first.gtin.slice(1) })), 409, 'gtin_taken');
    const other = await createItem();
    expectProblem(await send('PATCH', `/v1/items/${other.id}`, { gtin: first.gtin }), 409, 'gtin_taken');
  });

  it('rejects a GTIN with a wrong check digit (422, nothing written)', async () => {
    const good = gtin13();
    const bad = `${good.slice(0, -1)}${(Number(good.at(-1)) + 1) % 10}`;
    const code = `BADGTIN-${n++}`;
    const res = await send('POST', '/v1/items', boxed({ code, gtin: bad }));
    const body = expectProblem(res, 422, 'gs1_check_digit');
    expect(body.errors).toEqual([expect.objectContaining({ field: 'body:/gtin', code: 'gs1.check_digit' })]);
    expect((await get(`/v1/items?q=${code}`)).json().items).toEqual([]);
    expectProblem(await send('POST', '/v1/items', boxed({ gtin: '1234567890' })), 422, 'gs1_bad_length');
  });

  it('validates pack units with core rules and reports every problem as a field error', async () => {
    const res = await send(
      'POST',
      '/v1/items',
      boxed({
        packUnits: [
          { code: 'one', factor: 1 },
          { code: 'box', factor: 20 },
          { code: 'box', factor: 40 },
          { code: 'Case', factor: 2.5 },
        ],
      }),
    );
    const body = expectProblem(res, 422, 'invalid_units');
    const fields = body.errors.map((e: { field: string; code: string }) => `${e.field} ${e.code}`);
    expect(fields).toHaveLength(4);
    expect(fields).toEqual(
      expect.arrayContaining([
        'body:/packUnits/0/factor units.bad_factor',
        'body:/packUnits/2/code units.duplicate_code',
        'body:/packUnits/3/code units.bad_code',
        'body:/packUnits/3/factor units.bad_factor',
      ]),
    );
    const sameAsBase = await send('POST', '/v1/items', boxed({ packUnits: [{ code: 'piece', factor: 10 }] }));
    expect(expectProblem(sameAsBase, 422, 'invalid_units').errors[0].code).toBe('units.duplicate_code');
  });

  it('PATCH updates fields, replaces pack units, and deactivates instead of deleting', async () => {
    const item = await createItem({ gtin: gtin13() });
    const res = await send('PATCH', `/v1/items/${item.id}`, {
      nameEn: 'Syringe 5 ml',
      packUnits: [{ code: 'case', zh: '箱', en: 'case', factor: 1000 }],
      gtin: null,
      unitCost: 0.4,
    });
    expect(res.statusCode).toBe(200);
    const updated = res.json();
    expect(updated).toMatchObject({ nameEn: 'Syringe 5 ml', nameZh: item.nameZh, gtin: null, unitCost: 0.4 });
    expect(updated.packUnits).toEqual([{ code: 'case', zh: '箱', en: 'case', factor: 1000 }]);
    expect(Date.parse(updated.updatedAt)).toBeGreaterThanOrEqual(Date.parse(item.updatedAt));
    // The old box is gone: converting with it fails, the new case works.
    expectProblem(await get(`/v1/items/${item.id}/convert?quantity=1&unit=box`), 422, 'units_unknown_unit');
    expect((await get(`/v1/items/${item.id}/convert?quantity=1&unit=case`)).json().baseQuantity).toBe(1000);

    const off = await send('PATCH', `/v1/items/${item.id}`, { active: false });
    expect(off.json().active).toBe(false);
    expect((await send('DELETE', `/v1/items/${item.id}`)).statusCode).toBe(404);
    expect((await get(`/v1/items/${item.id}`)).json().active).toBe(false);
    expectProblem(await send('PATCH', `/v1/items/${item.id}`, {}), 400, 'validation_failed');
    expectProblem(await send('PATCH', `/v1/items/${item.id}`, { code: 'NEW' }), 400, 'validation_failed');
    expectProblem(
      await send('PATCH', `/v1/items/${item.id}`, { packUnits: [{ code: 'box', factor: 0 }] }),
      422,
      'invalid_units',
    );
  });

  it('the base unit may change until the item has stock history, then 409 base_unit_in_use', async () => {
    const item = await createItem({ packUnits: [] });
    const renamed = await send('PATCH', `/v1/items/${item.id}`, {
      baseUnit: { code: 'pair', zh: '双', en: 'pair' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json().baseUnit).toEqual({ code: 'pair', zh: '双', en: 'pair' });
    const receipt = await send('POST', '/v1/movements', {
      type: 'receipt',
      itemId: item.id,
      locationId: locA,
      quantity: 4,
      // A lot-tracked item is received with its lot and expiry (issue 11).
      lotNumber: 'P-1',
      expiryDate: '2031-06-30',
    });
    expect(receipt.statusCode, receipt.body).toBe(201);
    expectProblem(
      await send('PATCH', `/v1/items/${item.id}`, { baseUnit: { code: 'piece' } }),
      409,
      'base_unit_in_use',
    );
    // Relabelling the same unit is harmless.
    const relabel = await send('PATCH', `/v1/items/${item.id}`, {
      baseUnit: { code: 'pair', zh: '副', en: 'pair' },
    });
    expect(relabel.json().baseUnit.zh).toBe('副');
  });

  it('items of one substitute group must share a base unit', async () => {
    const group = `gloves-${n++}`;
    await createItem({ substituteGroup: group, packUnits: [], baseUnit: { code: 'pair' } });
    const res = await send('POST', '/v1/items', boxed({ substituteGroup: group }));
    const body = expectProblem(res, 422, 'substitute_unit_mismatch');
    expect(body.errors[0].field).toBe('body:/substituteGroup');
    const ok = await createItem({ substituteGroup: group, packUnits: [], baseUnit: { code: 'pair' } });
    expect(ok.substituteGroup).toBe(group);
  });

  it('search and filters: q on code and both names, category, VED, active, substitute group; cursor pages', async () => {
    const tag = `Q${n++}`;
    const gauze = await createItem({
      code: `${tag}-GAUZE`,
      nameZh: `纱布块${tag}`,
      nameEn: 'Gauze swab',
      category: 'dressing',
      ved: 'E',
      packUnits: [],
    });
    const glove = await createItem({
      code: `${tag}-GLOVE`,
      nameZh: '检查手套',
      nameEn: `Exam glove ${tag}`,
      category: 'protective',
      ved: 'D',
      substituteGroup: `${tag}-gloves`,
      packUnits: [],
    });
    const cath = await createItem({
      code: `${tag}-CATH`,
      nameZh: '导尿管',
      nameEn: 'Foley catheter',
      category: 'catheter',
      ved: 'V',
    });
    await send('PATCH', `/v1/items/${cath.id}`, { active: false });
    const codes = async (query: string) =>
      (await get(`/v1/items?limit=500&${query}`)).json().items.map((i: { code: string }) => i.code);

    expect(await codes(`q=${tag}`)).toEqual([cath.code, gauze.code, glove.code]);
    expect(await codes(`q=${encodeURIComponent(`纱布块${tag}`)}`)).toEqual([gauze.code]);
    expect(await codes(`q=${encodeURIComponent(`exam GLOVE ${tag}`)}`)).toEqual([glove.code]);
    expect(await codes(`q=${tag}&category=dressing`)).toEqual([gauze.code]);
    expect(await codes(`q=${tag}&ved=V`)).toEqual([cath.code]);
    expect(await codes(`q=${tag}&active=false`)).toEqual([cath.code]);
    expect(await codes(`q=${tag}&active=true`)).toEqual([gauze.code, glove.code]);
    expect(await codes(`substituteGroup=${tag}-gloves`)).toEqual([glove.code]);
    // LIKE wildcards are literal, not "match everything".
    expect(await codes('q=%25')).toEqual([]);
    expectProblem(await get('/v1/items?category=snacks'), 400, 'validation_failed');

    // Cursor pages cover every item exactly once.
    const everything = await codes('');
    const paged: string[] = [];
    let cursor: string | null = null;
    do {
      const page: any = (await get(`/v1/items?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json();
      expect(page.items.length).toBeLessThanOrEqual(3);
      paged.push(...page.items.map((i: { code: string }) => i.code));
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(everything);
    expect(everything.length).toBeGreaterThan(3);
  });

  it('GTIN search finds the item by its 13- or 14-digit form', async () => {
    const gtin = gtin13();
    const item = await createItem({ gtin });
    expect((await get(`/v1/items?q=${gtin}`)).json().items.map((i: { id: string }) => i.id)).toEqual([
      item.id,
    ]);
    expect((await get(`/v1/items?q=0${gtin}`)).json().items.map((i: { id: string }) => i.id)).toEqual([
      item.id,
    ]);
  });
});

describe('unit conversion through the API', () => {
  it('converts any pack unit to base units with a whole-pack breakdown', async () => {
    const item = await createItem();
    const two = await get(`/v1/items/${item.id}/convert?quantity=2&unit=box`);
    expect(two.statusCode).toBe(200);
    expect(two.json()).toMatchObject({ quantity: 2, unit: 'box', baseQuantity: 200, baseUnit: 'piece' });
    const mixed = (await get(`/v1/items/${item.id}/convert?quantity=235`)).json();
    expect(mixed.unit).toBe('piece');
    expect(mixed.breakdown).toEqual([
      { unit: 'box', quantity: 2, factor: 100 },
      { unit: 'pack', quantity: 3, factor: 10 },
      { unit: 'piece', quantity: 5, factor: 1 },
    ]);
    expect(mixed.text).toEqual({ zh: '2盒3包5支', en: '2 box 3 pack 5 piece' });
    expect((await get(`/v1/items/${item.id}/convert?quantity=0.5&unit=pack`)).json().baseQuantity).toBe(5);
  });

  it('422 for an unknown unit and for a fraction of a base unit; 404 for an unknown item', async () => {
    const item = await createItem();
    const unknown = expectProblem(
      await get(`/v1/items/${item.id}/convert?quantity=1&unit=crate`),
      422,
      'units_unknown_unit',
    );
    expect(unknown.errors[0].field).toBe('querystring:/unit');
    const fraction = expectProblem(
      await get(`/v1/items/${item.id}/convert?quantity=0.05&unit=pack`),
      422,
      'units_not_integer',
    );
    expect(fraction.errors[0].field).toBe('querystring:/quantity');
    expectProblem(await get(`/v1/items/${item.id}/convert?quantity=1.5`), 422, 'units_not_integer');
    expectProblem(await get(`/v1/items/${item.id}/convert?quantity=-1`), 400, 'validation_failed');
    expectProblem(
      await get('/v1/items/00000000-0000-4000-8000-000000000000/convert?quantity=1'),
      404,
      'not_found',
    );
  });
});

describe('suppliers and item–supplier terms', () => {
  async function supplier(extra: Record<string, unknown> = {}) {
    const res = await send('POST', '/v1/suppliers', {
      code: `S-${n++}`,
      name: '国药控股',
      nominalLeadTimeDays: 5,
      ...extra,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  }

  it('creates, reads, lists, updates suppliers; a taken code is 409 supplier_code_taken', async () => {
    const s = await supplier({ contactEmail: 'orders@example.org' });
    expect(s).toMatchObject({
      name: '国药控股',
      nominalLeadTimeDays: 5,
      contactEmail: 'orders@example.org',
      phone: null,
      active: true,
    });
    expect((await get(`/v1/suppliers/${s.id}`)).json()).toEqual(s);
    expectProblem(
      await send('POST', '/v1/suppliers', { code: s.code, name: 'dup' }),
      409,
      'supplier_code_taken',
    );
    const patched = await send('PATCH', `/v1/suppliers/${s.id}`, { phone: '021-1234', active: false });
    expect(patched.json()).toMatchObject({ phone: '021-1234', active: false, name: '国药控股' });
    const listed = (await get(`/v1/suppliers?q=${s.code}&active=false`)).json().items;
    expect(listed.map((x: { id: string }) => x.id)).toEqual([s.id]);
    expect((await get(`/v1/suppliers?q=${s.code}&active=true`)).json().items).toEqual([]);
    expectProblem(
      await send('POST', '/v1/suppliers', { code: 'X', name: 'x', contactEmail: 'not-an-email' }),
      400,
      'validation_failed',
    );
  });

  it('PUT terms creates then replaces; packUnit sets packSize; the item shows its terms', async () => {
    const item = await createItem();
    const s = await supplier();
    const url = `/v1/items/${item.id}/suppliers/${s.id}`;
    const created = await send('PUT', url, {
      packPrice: 35,
      packUnit: 'box',
      moqPacks: 2,
      supplierItemCode: 'GY-5ML',
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      itemId: item.id,
      supplierId: s.id,
      supplierCode: s.code,
      packPrice: 35,
      packSize: 100,
      moqPacks: 2,
      nominalLeadTimeDays: null,
      effectiveLeadTimeDays: 5,
      preferred: false,
      unitPrice: 0.35,
      supplierItemCode: 'GY-5ML',
    });
    const replaced = await send('PUT', url, { packPrice: 4, packSize: 10, nominalLeadTimeDays: 3 });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({
      packSize: 10,
      moqPacks: 1,
      nominalLeadTimeDays: 3,
      effectiveLeadTimeDays: 3,
      supplierItemCode: null,
    });
    expect((await get(`/v1/items/${item.id}`)).json().suppliers).toEqual([replaced.json()]);
    expectProblem(await send('PUT', url, { packPrice: 1, packUnit: 'crate' }), 422, 'units_unknown_unit');
    expectProblem(
      await send('PUT', url, { packPrice: 1, packUnit: 'box', packSize: 50 }),
      422,
      'pack_size_mismatch',
    );
    expectProblem(await send('PUT', url, { packPrice: -1 }), 400, 'validation_failed');
  });

  it('only one preferred supplier per item: marking another clears the first', async () => {
    const item = await createItem();
    const [a, b] = [await supplier(), await supplier()];
    expect(
      (
        await send('PUT', `/v1/items/${item.id}/suppliers/${a.id}`, {
          packPrice: 30,
          packSize: 100,
          preferred: true,
        })
      ).statusCode,
    ).toBe(201);
    expect(
      (
        await send('PUT', `/v1/items/${item.id}/suppliers/${b.id}`, {
          packPrice: 28,
          packSize: 100,
          preferred: true,
        })
      ).statusCode,
    ).toBe(201);
    const terms = (await get(`/v1/items/${item.id}`)).json().suppliers;
    expect(terms.map((x: { supplierId: string; preferred: boolean }) => [x.supplierId, x.preferred])).toEqual(
      [
        [b.id, true],
        [a.id, false],
      ],
    );
    // Concurrent "make me preferred" requests: exactly one wins, none fails.
    const results = await Promise.all(
      [a, b].map((s) =>
        send('PUT', `/v1/items/${item.id}/suppliers/${s.id}`, {
          packPrice: 29,
          packSize: 100,
          preferred: true,
        }),
      ),
    );
    expect(results.map((r) => r.statusCode)).toEqual([200, 200]);
    const after = (await get(`/v1/items/${item.id}`)).json().suppliers;
    expect(after.filter((x: { preferred: boolean }) => x.preferred)).toHaveLength(1);
  });

  it('DELETE removes the terms; unknown item, supplier or terms are 404', async () => {
    const item = await createItem();
    const s = await supplier();
    const url = `/v1/items/${item.id}/suppliers/${s.id}`;
    await send('PUT', url, { packPrice: 1 });
    expect((await send('DELETE', url)).statusCode).toBe(204);
    expect((await get(`/v1/items/${item.id}`)).json().suppliers).toEqual([]);
    expectProblem(await send('DELETE', url), 404, 'not_found');
    const nobody = '00000000-0000-4000-8000-000000000000';
    expectProblem(
      await send('PUT', `/v1/items/${item.id}/suppliers/${nobody}`, { packPrice: 1 }),
      404,
      'not_found',
    );
    expectProblem(
      await send('PUT', `/v1/items/${nobody}/suppliers/${s.id}`, { packPrice: 1 }),
      404,
      'not_found',
    );
  });
});

describe('par levels', () => {
  it('stores min/max in base units from any unit, lists them, replaces and removes them', async () => {
    const item = await createItem();
    const url = `/v1/locations/${locA}/par-levels/${item.id}`;
    const put = await send('PUT', url, { minQty: 2, maxQty: 5, unit: 'box' });
    expect(put.statusCode, put.body).toBe(201);
    expect(put.json()).toMatchObject({
      locationId: locA,
      siteId: siteA,
      itemId: item.id,
      itemCode: item.code,
      minQty: 200,
      maxQty: 500,
      baseUnit: 'piece',
    });
    const again = await send('PUT', url, { minQty: 150 });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ minQty: 150, maxQty: null });
    const list = (await get(`/v1/locations/${locA}/par-levels`)).json().items;
    expect(list.filter((p: { itemId: string }) => p.itemId === item.id)).toEqual([again.json()]);

    expectProblem(await send('PUT', url, { minQty: 5, maxQty: 4 }), 422, 'max_below_min');
    expect(
      expectProblem(await send('PUT', url, { minQty: 1, unit: 'crate' }), 422, 'units_unknown_unit').errors[0]
        .field,
    ).toBe('body:/unit');
    expect(
      expectProblem(await send('PUT', url, { minQty: 0.5 }), 422, 'units_not_integer').errors[0].field,
    ).toBe('body:/minQty');
    expectProblem(
      await send('PUT', `/v1/locations/${locA}/par-levels/00000000-0000-4000-8000-000000000000`, {
        minQty: 1,
      }),
      404,
      'not_found',
    );
    // The refused writes changed nothing.
    expect(
      (await get(`/v1/locations/${locA}/par-levels`))
        .json()
        .items.find((p: { itemId: string }) => p.itemId === item.id).minQty,
    ).toBe(150);

    expect((await send('DELETE', url)).statusCode).toBe(204);
    expect(
      (await get(`/v1/locations/${locA}/par-levels`))
        .json()
        .items.some((p: { itemId: string }) => p.itemId === item.id),
    ).toBe(false);
  });

  it('a user limited to one site cannot see or set par levels at another site (404)', async () => {
    const siteB = (await send('POST', '/v1/sites', { code: `PB${n++}`, name: 'Branch' })).json().id;
    const locB = (await centralStore(t, owner.headers, siteB)).locationId;
    const item = await createItem();
    await send('PUT', `/v1/locations/${locB}/par-levels/${item.id}`, { minQty: 10 });
    const limited = await member('storekeeper', [siteA]);
    expectProblem(await get(`/v1/locations/${locB}/par-levels`, limited), 404, 'not_found');
    expectProblem(
      await send('PUT', `/v1/locations/${locB}/par-levels/${item.id}`, { minQty: 99 }, limited),
      404,
      'not_found',
    );
    expectProblem(
      await send('DELETE', `/v1/locations/${locB}/par-levels/${item.id}`, undefined, limited),
      404,
      'not_found',
    );
    expect((await get(`/v1/locations/${locB}/par-levels`)).json().items[0].minQty).toBe(10);
    const own = await send('PUT', `/v1/locations/${locA}/par-levels/${item.id}`, { minQty: 3 }, limited);
    expect(own.statusCode).toBe(201);
  });

  it('par-level and catalogue changes the engine reads ask the worker to recalculate that item-location', async () => {
    const item = await createItem();
    // The request lands in the recalculation outbox (PostgreSQL); no worker runs in this file.
    const outboxVersion = async () => {
      const r = await withTenantDb(t.deps.database.db, owner, (tx) =>
        tx.execute<{ version: number }>(
          sql`select version from recalculation_outbox where item_id = ${item.id} and location_id = ${locA}`,
        ),
      );
      return r.rows[0]?.version ?? 0;
    };
    expect(await outboxVersion()).toBe(0);
    await send('PUT', `/v1/locations/${locA}/par-levels/${item.id}`, { minQty: 10 });
    const first = await outboxVersion();
    expect(first).toBeGreaterThan(0);
    await send('PATCH', `/v1/items/${item.id}`, { ved: 'D' });
    expect(await outboxVersion()).toBeGreaterThan(first);
  });
});

describe('roles', () => {
  it('reads need read; items, suppliers and terms need purchasing or admin; par levels stock:write or admin; apply admin', async () => {
    const item = await createItem();
    const supplierId = (await send('POST', '/v1/suppliers', { code: `RS-${n++}`, name: 'r' })).json().id;
    // 200 and 201 both mean allowed; which one depends on whether an earlier role created the record.
    const ok = (r: { statusCode: number }) =>
      r.statusCode === 200 || r.statusCode === 201 ? 'ok' : r.statusCode;
    const can = async (headers: Record<string, string>) => ({
      read: ok(await get('/v1/items', headers)),
      createItem: ok(await send('POST', '/v1/items', boxed(), headers)),
      patchItem: ok(await send('PATCH', `/v1/items/${item.id}`, { unitCost: 0.5 }, headers)),
      createSupplier: ok(await send('POST', '/v1/suppliers', { code: `RS-${n++}`, name: 'r' }, headers)),
      terms: ok(await send('PUT', `/v1/items/${item.id}/suppliers/${supplierId}`, { packPrice: 1 }, headers)),
      par: ok(await send('PUT', `/v1/locations/${locA}/par-levels/${item.id}`, { minQty: 1 }, headers)),
      apply: ok(await send('POST', '/v1/catalogue-templates/nonexistent-template/apply', undefined, headers)),
    });
    // An authorised apply of an unknown template is 404; a refused one 403.
    expect(await can(await member('viewer'))).toEqual({
      read: 'ok',
      createItem: 403,
      patchItem: 403,
      createSupplier: 403,
      terms: 403,
      par: 403,
      apply: 403,
    });
    expect(await can(await member('nurse'))).toEqual({
      read: 'ok',
      createItem: 403,
      patchItem: 403,
      createSupplier: 403,
      terms: 403,
      par: 'ok',
      apply: 403,
    });
    expect(await can(await member('storekeeper'))).toEqual({
      read: 'ok',
      createItem: 403,
      patchItem: 403,
      createSupplier: 403,
      terms: 403,
      par: 'ok',
      apply: 403,
    });
    expect(await can(await member('purchaser'))).toEqual({
      read: 'ok',
      createItem: 'ok',
      patchItem: 'ok',
      createSupplier: 'ok',
      terms: 'ok',
      par: 403,
      apply: 403,
    });
    expect(await can(await member('admin'))).toEqual({
      read: 'ok',
      createItem: 'ok',
      patchItem: 'ok',
      createSupplier: 'ok',
      terms: 'ok',
      par: 'ok',
      apply: 404,
    });
  });

  it('an API key needs the matching scope', async () => {
    const key = async (scopes: string[]) =>
      bearer((await send('POST', '/v1/api-keys', { name: `k${n++}`, scopes })).json().key);
    const readOnly = await key(['read']);
    expect((await get('/v1/items', readOnly)).statusCode).toBe(200);
    expectProblem(await send('POST', '/v1/items', boxed(), readOnly), 403, 'forbidden');
    expect((await send('POST', '/v1/items', boxed(), await key(['purchasing']))).statusCode).toBe(201);
  });
});

describe('catalogue templates', () => {
  it('lists the three templates publicly, with item and category counts from the data files', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/catalogue-templates' });
    expect(res.statusCode).toBe(200);
    const list = res.json().items;
    expect(list.map((x: { code: string }) => x.code).sort()).toEqual([...TEMPLATE_CODES].sort());
    for (const summary of list) {
      const file = templateFile(summary.code);
      expect(summary.itemCount).toBe(file.items.length);
      expect(summary.name).toEqual(file.name);
      expect(summary.categories.map((c: { code: string }) => c.code)).toEqual(
        file.categories.map((c) => c.code),
      );
      expect(summary.categories.reduce((s: number, c: { itemCount: number }) => s + c.itemCount, 0)).toBe(
        file.items.length,
      );
    }
    const sizes = Object.fromEntries(
      list.map((x: { code: string; itemCount: number }) => [x.code, x.itemCount]),
    );
    expect(sizes['small-hospital-theatre']).toBeGreaterThan(350);
    expect(sizes['community-health-centre']).toBeGreaterThan(120);
    expect(sizes['dental-outpatient']).toBeGreaterThan(80);
  });

  it('previews a template: first N items, by category; unknown code is 404', async () => {
    const file = templateFile('dental-outpatient');
    const res = await t.app.inject({
      method: 'GET',
      url: '/v1/catalogue-templates/dental-outpatient?limit=5',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().items.map((i: { code: string }) => i.code)).toEqual(
      file.items.slice(0, 5).map((i) => i.code),
    );
    expect(res.json().items[0]).toMatchObject({
      name: file.items[0]!.name,
      baseUnit: file.items[0]!.baseUnit,
      ved: file.items[0]!.ved,
    });
    const implants = (
      await t.app.inject({
        method: 'GET',
        url: '/v1/catalogue-templates/dental-outpatient?limit=500&category=implant',
      })
    ).json().items;
    expect(implants.length).toBe(file.items.filter((i) => i.category === 'implant').length);
    expect(implants.every((i: { category: string }) => i.category === 'implant')).toBe(true);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/catalogue-templates/dental-outpatient' })).json().items,
    ).toHaveLength(20);
    expectProblem(
      await t.app.inject({ method: 'GET', url: '/v1/catalogue-templates/no-such-template' }),
      404,
      'not_found',
    );
  });

  it("apply creates the missing items; re-applying creates none and keeps the tenant's edits", async () => {
    const org = await signUp(t);
    const file = templateFile('community-health-centre');
    const first = await send(
      'POST',
      '/v1/catalogue-templates/community-health-centre/apply',
      undefined,
      org.headers,
    );
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toEqual({
      templateCode: 'community-health-centre',
      templateItems: file.items.length,
      created: file.items.length,
      skipped: 0,
      skippedGtinInUse: [],
    });

    const items = await allItems(org.headers);
    expect(items).toHaveLength(file.items.length);
    const sample = file.items.find((i) => i.packUnits.length > 0)!;
    const stored = items.find((i) => i.code === sample.code);
    expect(stored).toMatchObject({
      nameZh: sample.name.zh,
      nameEn: sample.name.en,
      specification: sample.specification,
      category: sample.category,
      ved: sample.ved,
      storage: sample.storage,
      unitCost: sample.unitCost,
      gtin: sample.gtin ?? null,
      templateCode: 'community-health-centre',
      baseUnit: sample.baseUnit,
    });
    expect(stored.packUnits.map((u: { code: string; factor: number }) => [u.code, u.factor]).sort()).toEqual(
      sample.packUnits.map((u) => [u.code, u.factor]).sort(),
    );
    const packCount = items.reduce((s, i) => s + i.packUnits.length, 0);
    expect(packCount).toBe(file.items.reduce((s, i) => s + i.packUnits.length, 0));

    // The tenant edits one item and deactivates another; re-applying restores neither.
    const [edited, retired] = items;
    await send(
      'PATCH',
      `/v1/items/${edited.id}`,
      { nameEn: 'Our own name', unitCost: 9.99, packUnits: [] },
      org.headers,
    );
    await send('PATCH', `/v1/items/${retired.id}`, { active: false }, org.headers);
    const second = await send(
      'POST',
      '/v1/catalogue-templates/community-health-centre/apply',
      undefined,
      org.headers,
    );
    expect(second.json()).toMatchObject({ created: 0, skipped: file.items.length, skippedGtinInUse: [] });
    expect(await allItems(org.headers)).toHaveLength(file.items.length);
    expect((await get(`/v1/items/${edited.id}`, org.headers)).json()).toMatchObject({
      nameEn: 'Our own name',
      unitCost: 9.99,
      packUnits: [],
    });
    expect((await get(`/v1/items/${retired.id}`, org.headers)).json().active).toBe(false);
  });

  it('a second template skips products whose GTIN the tenant already has (same product, other code)', async () => {
    const org = await signUp(t, { catalogueTemplate: 'community-health-centre' });
    const chc = templateFile('community-health-centre');
    const sht = templateFile('small-hospital-theatre');
    const chcGtins = new Set(chc.items.flatMap((i) => (i.gtin ? [i.gtin] : [])));
    const shared = sht.items.filter((i) => i.gtin && chcGtins.has(i.gtin)).map((i) => i.code);
    expect(shared.length).toBeGreaterThan(0);
    const res = await send(
      'POST',
      '/v1/catalogue-templates/small-hospital-theatre/apply',
      undefined,
      org.headers,
    );
    expect(res.json()).toMatchObject({ created: sht.items.length - shared.length, skipped: shared.length });
    expect([...res.json().skippedGtinInUse].sort()).toEqual([...shared].sort());
    expect(await allItems(org.headers)).toHaveLength(chc.items.length + sht.items.length - shared.length);
  });

  it('unknown template → 404 on apply, and nothing changes', async () => {
    const org = await signUp(t);
    expectProblem(
      await send('POST', '/v1/catalogue-templates/not-a-template/apply', undefined, org.headers),
      404,
      'not_found',
    );
    expect((await get('/v1/items', org.headers)).json().items).toEqual([]);
  });

  it('applies ~400 items in three statements, and concurrent applies never duplicate', async () => {
    const org = await signUp(t);
    const template = findCatalogueTemplate('small-hospital-theatre')!;
    let statements = 0;
    const started = Date.now();
    const result = await withTenantDb(t.deps.database.db, org, (tx) => {
      const counting: SqlRunner = {
        execute: ((query: Parameters<SqlRunner['execute']>[0]) => {
          statements++;
          return tx.execute(query);
        }) as SqlRunner['execute'],
      };
      return applyCatalogueTemplate(counting, template);
    });
    expect(result.created).toBe(template.items.length);
    expect(statements).toBe(3);
    expect(Date.now() - started).toBeLessThan(5000);

    const other = await signUp(t);
    const both = await Promise.all(
      [1, 2].map(() =>
        send('POST', '/v1/catalogue-templates/dental-outpatient/apply', undefined, other.headers),
      ),
    );
    const dental = templateFile('dental-outpatient').items.length;
    expect(both.map((r) => r.statusCode)).toEqual([200, 200]);
    expect(both.reduce((s, r) => s + r.json().created, 0)).toBe(dental);
    const count = await withTenantDb(
      t.deps.database.db,
      other,
      async (tx) => (await tx.execute<{ n: number }>(sql`select count(*)::int as n from items`)).rows[0]!.n,
    );
    expect(count).toBe(dental);
  });
});

describe('sign-up with a catalogue template', () => {
  for (const code of TEMPLATE_CODES) {
    it(`${code}: the new organisation starts with every item of the template`, async () => {
      const org = await signUp(t, { catalogueTemplate: code });
      const file = templateFile(code);
      const items = await allItems(org.headers);
      expect(items).toHaveLength(file.items.length);
      expect(new Set(items.map((i) => i.code))).toEqual(new Set(file.items.map((i) => i.code)));
      expect(items.every((i) => i.templateCode === code && i.active)).toBe(true);
      const categories = (
        await t.app.inject({
          method: 'GET',
          url: `/v1/items?limit=1&category=${file.items[0]!.category}`,
          headers: org.headers,
        })
      ).json();
      expect(categories.items[0].category).toBe(file.items[0]!.category);
    });
  }

  it('an unknown template refuses the sign-up with 422 and creates nothing', async () => {
    const email = uniqueEmail('tpl');
    const before = (
      await t.deps.database.pool.query<{ n: number }>('select count(*)::int as n from control.organizations')
    ).rows[0]!.n;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/signup',
      payload: {
        organizationName: 'Nope',
        email,
        password: PASSWORD,
        catalogueTemplate: 'veterinary-clinic',
      },
    });
    const body = expectProblem(res, 422, 'unknown_catalogue_template');
    expect(body.errors[0].field).toBe('body:/catalogueTemplate');
    const after = (
      await t.deps.database.pool.query<{ n: number }>('select count(*)::int as n from control.organizations')
    ).rows[0]!.n;
    expect(after).toBe(before);
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email, password: PASSWORD },
    });
    expect(login.statusCode).toBe(401);
    const schemas = await t.deps.database.pool.query(`select 1 from pg_namespace where nspname like 'tenant_%'
      and nspname not in (select 'tenant_' || replace(id::text, '-', '') from control.organizations)`);
    expect(schemas.rows).toEqual([]);
  });
});
