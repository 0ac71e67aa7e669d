import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runImport } from '@medstock/worker/imports/run-import.ts';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantQuery } from './support/purchasing-fixtures.ts';
import { billingConfig, type StripeStandIn, startStripeStandIn } from './support/stripe-stand-in.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * The Free plan's 200 items hold for the items import too: an import that would take the
 * organisation over the limit is refused whole, checked in the import's own transaction.
 * The import job is driven directly (no worker), so two of them can be run at the same time.
 */
let standIn: StripeStandIn;
let t: TestApp;
let uploadDir: string;
let n = 0;

const FREE_ITEMS = 200;

async function freshOrg() {
  const org = await signUp(t, { organizationName: `Free clinic ${n++}` });
  const plan = await t.deps.database.pool.query<{ plan: string }>(
    'select plan from control.organizations where id = $1',
    [org.organizationId],
  );
  expect(plan.rows[0]!.plan).toBe('free');
  return org;
}
const itemCount = async (org: SignedUp) =>
  (await tenantQuery<{ n: number }>(t, org.organizationId, sql`select count(*)::int as n from items`))[0]!.n;

function itemsCsv(prefix: string, count: number, from = 0) {
  const lines = ['code,name_zh,name_en,base_unit'];
  for (let i = from; i < from + count; i++) lines.push(`${prefix}-${i},耗材${i},Item ${i},piece`);
  return `${lines.join('\n')}\n`;
}

/** Uploads a file (queued, not yet run) and returns its import id. */
async function upload(org: SignedUp, csv: string) {
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/imports?kind=items',
    headers: { ...org.headers, 'content-type': 'text/csv' },
    payload: csv,
  });
  expect(r.statusCode, r.body).toBe(202);
  return r.json().id as string;
}
const run = (org: SignedUp, id: string) =>
  runImport({ config: t.config, database: t.deps.database }, org.organizationId, id);
const importOf = async (org: SignedUp, id: string) =>
  (await t.app.inject({ method: 'GET', url: `/v1/imports/${id}`, headers: org.headers })).json();

beforeAll(async () => {
  standIn = await startStripeStandIn();
  uploadDir = mkdtempSync(join(tmpdir(), 'medstock-plan-import-'));
  t = await startTestApp({ ...billingConfig(standIn), UPLOAD_DIR: uploadDir });
});
afterAll(async () => {
  await Promise.allSettled([t?.close(), standIn?.close()]);
  rmSync(uploadDir, { recursive: true, force: true });
});

describe('the Free plan item limit on imports', () => {
  it('refuses an import of 250 new items whole, with the line and the limit, and writes nothing', async () => {
    const org = await freshOrg();
    const before = await itemCount(org);
    expect(before).toBeLessThanOrEqual(FREE_ITEMS);
    const id = await upload(org, itemsCsv('BIG', 250));
    expect((await run(org, id)).status).toBe('failed');

    const job = await importOf(org, id);
    expect(job).toMatchObject({ status: 'failed', appliedRows: 0, errorCount: 1 });
    const room = FREE_ITEMS - before;
    // Line 1 is the header: the first item too many is data row room + 1.
    expect(job.errors[0]).toMatchObject({ line: room + 2, field: 'code' });
    expect(job.errors[0].reason).toContain('Free');
    expect(job.errors[0].reason).toContain('200 items');
    expect(job.errors[0].reason).toContain('nothing was imported');
    expect(await itemCount(org)).toBe(before);
  });

  it('takes a file up to the limit; then refuses one more item, but still updates existing ones', async () => {
    const org = await freshOrg();
    const room = FREE_ITEMS - (await itemCount(org));
    const fill = await upload(org, itemsCsv('FILL', room));
    expect((await run(org, fill)).status).toBe('succeeded');
    expect(await itemCount(org)).toBe(FREE_ITEMS);

    const oneMore = await upload(org, itemsCsv('FILL', 2, room - 1));
    expect((await run(org, oneMore)).status).toBe('failed');
    expect((await importOf(org, oneMore)).errors[0]).toMatchObject({ line: 3, field: 'code' });
    expect(await itemCount(org)).toBe(FREE_ITEMS);

    // Renaming items that exist adds none: allowed at the limit.
    const rename = await upload(org, 'code,name_en,base_unit\nFILL-0,Renamed,piece\n');
    expect((await run(org, rename)).status).toBe('succeeded');
    expect(await itemCount(org)).toBe(FREE_ITEMS);
  });

  it('two imports that each fit but not together: exactly one is applied', async () => {
    const org = await freshOrg();
    const room = FREE_ITEMS - (await itemCount(org));
    const half = Math.floor(room / 2) + 1;
    const [a, b] = [await upload(org, itemsCsv('A', half)), await upload(org, itemsCsv('B', half))];
    const results = await Promise.all([run(org, a), run(org, b)]);
    expect(results.map((r) => r.status).sort()).toEqual(['failed', 'succeeded']);
    expect(await itemCount(org)).toBe(FREE_ITEMS - room + half);
  });
});
