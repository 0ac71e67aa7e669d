import { withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
});
afterAll(async () => {
  await t?.close();
});

describe('reading a movement group', () => {
  it('goes through the group_id index, not a scan of the whole ledger', async () => {
    const plan = await withTenantDb(t.deps.database.db, owner, async (tx) => {
      // A new tenant's ledger is tiny, where a scan is cheaper; forbid it to see what can be used.
      await tx.execute(sql`set local enable_seqscan = off`);
      const r = await tx.execute<{ 'QUERY PLAN': string }>(
        sql`explain select * from movements where group_id = ${crypto.randomUUID()}::uuid order by id`,
      );
      return r.rows.map((x) => x['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('movements_group_id');
  });
});
