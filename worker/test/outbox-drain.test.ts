import {
  requestRecalculation,
  settleRecalculations,
  takeDueRecalculations,
  tenantSchema,
  withTenantDb,
} from '@medstock/db';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { centralStore } from '../../api/test/support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { drainRecalculationOutbox } from '../src/engine/drain-outbox.ts';
import { createLogger } from '../src/logger.ts';
import { itemWithDemand, outboxRows } from './support/fault-fixtures.ts';

let t: TestApp;
let org: SignedUp;
let loc: string;

beforeAll(async () => {
  t = await startTestApp({ RECALC_RETRY_BASE_MS: '60000', RECALC_DRAIN_BATCH_SIZE: '10' });
  org = await signUp(t);
  ({ locationId: loc } = await centralStore(t, org.headers));
});
afterAll(async () => {
  await t?.close();
});

const ctx = () => ({
  config: t.config,
  database: t.deps.database,
  producer: t.deps.jobs,
  log: createLogger('silent'),
});
const inTenant = <T>(fn: Parameters<typeof withTenantDb<T>>[2]) => withTenantDb(t.deps.database.db, org, fn);

describe('draining the recalculation outbox', () => {
  it('keeps a row whose item-location changed while its recalculation was computed', async () => {
    const item = await itemWithDemand(t, org, loc, 'RACE-1');
    await inTenant((tx) => requestRecalculation(tx, [{ itemId: item, locationId: loc }]));
    // The drainer's transaction takes the row; a movement's transaction bumps it meanwhile.
    await inTenant(async (tx) => {
      const taken = await takeDueRecalculations(tx, org.organizationId, 10);
      expect(taken.map((e) => e.itemId)).toContain(item);
      await t.deps.database.pool.query(
        `update "${tenantSchema(org.organizationId)}".recalculation_outbox set version = version + 1 where item_id = $1`,
        [item],
      );
      await settleRecalculations(tx, taken);
    });
    expect((await outboxRows(t, org)).filter((r) => r.item_id === item)).toHaveLength(1);
    await drainRecalculationOutbox(ctx(), org.organizationId);
    expect(await outboxRows(t, org)).toEqual([]);
  });

  it('a waiting row keeps the time of its first change, however often it changes again', async () => {
    const item = await itemWithDemand(t, org, loc, 'KEEPS-WAITING');
    const schema = tenantSchema(org.organizationId);
    await inTenant((tx) => requestRecalculation(tx, [{ itemId: item, locationId: loc }]));
    // Waiting for two hours, then changed again (a movement's mark).
    await t.deps.database.pool.query(
      `update "${schema}".recalculation_outbox set requested_at = now() - interval '2 hours' where item_id = $1`,
      [item],
    );
    await inTenant((tx) => requestRecalculation(tx, [{ itemId: item, locationId: loc }]));
    const { rows } = await t.deps.database.pool.query<{ version: number; waited: number }>(
      `select version, extract(epoch from now() - requested_at)::float as waited
         from "${schema}".recalculation_outbox where item_id = $1`,
      [item],
    );
    expect(rows).toHaveLength(1);
    expect(rows[0]!.version).toBe(2);
    expect(rows[0]!.waited).toBeGreaterThanOrEqual(7200);
    await drainRecalculationOutbox(ctx(), org.organizationId);
    expect((await outboxRows(t, org)).filter((r) => r.item_id === item)).toEqual([]);
  });

  it('two drainers never take the same item-location', async () => {
    const item = await itemWithDemand(t, org, loc, 'TWO-DRAINERS');
    await inTenant((tx) => requestRecalculation(tx, [{ itemId: item, locationId: loc }]));
    await inTenant(async (tx) => {
      const first = await takeDueRecalculations(tx, org.organizationId, 10);
      const second = await withTenantDb(t.deps.database.db, org, (tx2) =>
        takeDueRecalculations(tx2, org.organizationId, 10),
      );
      expect(first.map((e) => e.itemId)).toEqual([item]);
      expect(second).toEqual([]);
    });
    await drainRecalculationOutbox(ctx(), org.organizationId);
  });

  it('defers only the item-location whose recalculation fails, with backoff, and recalculates the rest', async () => {
    const good = await itemWithDemand(t, org, loc, 'DRAIN-GOOD');
    const bad = await itemWithDemand(t, org, loc, 'DRAIN-BAD');
    // A fault injected in PostgreSQL itself: writing this item's policy fails.
    await inTenant(async (tx) => {
      await tx.execute(
        sql.raw(`
        create function refuse_policy() returns trigger language plpgsql as $$
        begin if new.item_id = '${bad}' then raise exception 'injected failure'; end if; return new; end $$`),
      );
      await tx.execute(
        sql`create trigger refuse_policy before insert or update on item_location_policies for each row execute function refuse_policy()`,
      );
      await requestRecalculation(tx, [
        { itemId: good, locationId: loc },
        { itemId: bad, locationId: loc },
      ]);
    });
    try {
      const r = await drainRecalculationOutbox(ctx(), org.organizationId);
      expect(r).toMatchObject({ recalculated: 1, deferred: 1 });
      const rows = await inTenant((tx) =>
        tx.execute<{ item_id: string; attempts: number; last_error: string; later: boolean }>(sql`
          select item_id, attempts, last_error, due_at > now() + interval '30 seconds' as later from recalculation_outbox`),
      );
      expect(rows.rows).toEqual([
        { item_id: bad, attempts: 1, last_error: expect.stringContaining('injected failure'), later: true },
      ]);
      const policies = await inTenant((tx) =>
        tx.execute<{ item_id: string }>(
          sql`select item_id from item_location_policies where item_id in (${good}, ${bad})`,
        ),
      );
      expect(policies.rows).toEqual([{ item_id: good }]);
    } finally {
      await inTenant((tx) => tx.execute(sql`drop trigger refuse_policy on item_location_policies`));
    }
    // A new change to the deferred item-location makes it due again at once.
    await inTenant((tx) => requestRecalculation(tx, [{ itemId: bad, locationId: loc }]));
    await drainRecalculationOutbox(ctx(), org.organizationId);
    expect(await outboxRows(t, org)).toEqual([]);
  });
});
