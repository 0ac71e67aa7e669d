import { randomBytes, randomUUID } from 'node:crypto';
import type { AppConfig } from '@medstock/config';
import { requestTenantDeletion, tenantSchema } from '@medstock/db';
import { moverLockKeySql } from '@medstock/db/cells/tenant-moving.ts';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedUp, signUp, startTestApp, type TestApp } from '../../api/test/support/test-app.ts';
import { type RunningWorker, startWorker } from '../src/index.ts';
import { UPKEEP_ACTOR } from '../src/schedules/platform-upkeep.ts';

// The worker holding the schedule lease runs what an operator would otherwise have to schedule:
// `tenant move --finish`, `tenant delete --due`, and settling a move whose mover died.
let t: TestApp;
let pool: pg.Pool;
let config: AppConfig;
const running: RunningWorker[] = [];

beforeAll(async () => {
  t = await startTestApp();
  pool = t.deps.database.pool;
  // Upkeep at every tick; the ticks are driven by hand (the timer is an hour).
  config = { ...t.config, QUEUE_PREFIX: `upk${randomBytes(4).toString('hex')}`, TENANT_UPKEEP_EVERY_MS: 1 };
});
afterAll(async () => {
  await Promise.allSettled(running.map((w) => w.close()));
  await t?.close();
});

const schemaExists = async (name: string) =>
  (await pool.query('select 1 from pg_namespace where nspname = $1', [name])).rowCount === 1;
const statusOf = async (org: SignedUp) =>
  (await pool.query('select status from control.organizations where id = $1', [org.organizationId])).rows[0]
    ?.status as string | undefined;

describe('platform upkeep on the schedule leader', () => {
  it('erases what is due, keeps what is in its grace period, drops old copies and settles a dead move', async () => {
    const [due, waiting, moved, halfMoved, bystander, starting] = [
      await signUp(t),
      await signUp(t),
      await signUp(t),
      await signUp(t),
      await signUp(t),
      await signUp(t),
    ];
    await requestTenantDeletion(t.deps.database, due.organizationId, { by: 'ops@test', graceDays: 0 });
    await requestTenantDeletion(t.deps.database, waiting.organizationId, { by: 'ops@test', graceDays: 30 });
    // A switched move whose grace period has passed, its old copy kept beside the live schema, and
    // one whose grace period has not.
    const oldCopy = `${tenantSchema(moved.organizationId)}_rold`;
    const keptCopy = `${tenantSchema(moved.organizationId)}_rkept`;
    for (const s of [oldCopy, keptCopy]) await pool.query(`create schema "${s}"`);
    await pool.query(
      `insert into control.tenant_moves (organization_id, from_cell, to_cell, status, retired_schema, switched_at, drop_after)
       values ($1, 'main', 'main', 'switched', $2, now() - interval '2 days', now() - interval '1 day'),
              ($1, 'main', 'main', 'switched', $3, now(), now() + interval '1 day')`,
      [moved.organizationId, oldCopy, keptCopy],
    );
    // A mover that died after renaming the source away and before the copy got its name.
    const live = tenantSchema(halfMoved.organizationId);
    const retired = `${live}_rdead`;
    await pool.query(
      `insert into control.tenant_moves (organization_id, from_cell, to_cell, status, retired_schema)
       values ($1, 'main', 'main', 'copying', $2)`,
      [halfMoved.organizationId, retired],
    );
    await pool.query(`alter schema "${live}" rename to "${retired}"`);
    await pool.query(`create schema "${live}_in"`);

    // A mover that is alive and still starting: its row exists and it holds its mover lock, but it
    // has not taken the move lock yet. Its move is not the upkeep's to settle.
    const mover = await pool.connect();
    await mover.query(`select pg_advisory_lock(${moverLockKeySql(tenantSchema(starting.organizationId))})`);
    await pool.query(
      `insert into control.tenant_moves (organization_id, from_cell, to_cell, status, retired_schema)
       values ($1, 'main', 'main', 'copying', $2)`,
      [starting.organizationId, `${tenantSchema(starting.organizationId)}_rlive`],
    );

    // An erasure that committed its control rows and then failed to drop the schema on its cell;
    // and an organisation erased once and since restored as itself, whose schema must stay.
    const ghostId = randomUUID();
    const ghost = tenantSchema(ghostId);
    await pool.query(`create schema "${ghost}"; create table "${ghost}".items (id int)`);
    await pool.query(
      `insert into control.tenant_erasures (organization_id, schema_name, requested_at, requested_by, erased_by, immediate, removed)
       values ($1, $2, now(), 'ops@test', 'ops@test', true, '{}'), ($3, $4, now(), 'ops@test', 'ops@test', true, '{}')`,
      [ghostId, ghost, bystander.organizationId, tenantSchema(bystander.organizationId)],
    );

    // Two replicas: only the lease holder runs the upkeep.
    const first = await startWorker(config, { scheduleSyncMs: 3_600_000 });
    running.push(first);
    const second = await startWorker(config, { scheduleSyncMs: 3_600_000 });
    running.push(second);
    const ticks = [await first.syncSchedulesNow(), await second.syncSchedulesNow()];
    // The first replica's start-up tick already did the work; these ticks find nothing left.
    expect(ticks.map((tick) => tick.leader)).toEqual([true, false]);
    expect(ticks[1]!.upkeep).toBeUndefined();
    expect(ticks[0]!.upkeep).toEqual({
      droppedCopies: 0,
      erased: 0,
      recoveredMoves: 0,
      droppedErasedSchemas: 0,
    });

    expect(await statusOf(due)).toBeUndefined();
    expect(await schemaExists(tenantSchema(due.organizationId))).toBe(false);
    const { rows: erasures } = await pool.query(
      'select organization_id, requested_by, erased_by, immediate from control.tenant_erasures',
    );
    expect(erasures.filter((e) => e.erased_by === UPKEEP_ACTOR)).toEqual([
      {
        organization_id: due.organizationId,
        requested_by: 'ops@test',
        erased_by: UPKEEP_ACTOR,
        immediate: false,
      },
    ]);
    expect(await schemaExists(ghost)).toBe(false);
    expect(await schemaExists(tenantSchema(bystander.organizationId))).toBe(true);
    expect(await statusOf(waiting)).toBe('pending_deletion');
    expect(await schemaExists(tenantSchema(waiting.organizationId))).toBe(true);

    expect(await schemaExists(oldCopy)).toBe(false);
    expect(await schemaExists(keptCopy)).toBe(true);
    const { rows: moves } = await pool.query(
      'select retired_schema, status from control.tenant_moves where organization_id = $1 order by retired_schema',
      [moved.organizationId],
    );
    expect(moves).toEqual([
      { retired_schema: keptCopy, status: 'switched' },
      { retired_schema: oldCopy, status: 'finished' },
    ]);

    // The dead move went back: the organisation has its schema again, the partial copy is gone.
    expect(await schemaExists(live)).toBe(true);
    expect(await schemaExists(retired)).toBe(false);
    expect(await schemaExists(`${live}_in`)).toBe(false);
    const { rows: dead } = await pool.query(
      'select status from control.tenant_moves where organization_id = $1',
      [halfMoved.organizationId],
    );
    expect(dead).toEqual([{ status: 'failed' }]);

    expect(await statusOf(bystander)).toBe('active');

    // The live mover's move was left alone; once that mover is gone, the next upkeep settles it (back:
    // its schema never left).
    const movesOf = async () =>
      (
        await pool.query('select status from control.tenant_moves where organization_id = $1', [
          starting.organizationId,
        ])
      ).rows;
    expect(await movesOf()).toEqual([{ status: 'copying' }]);
    // The mover ends (a session that ends lets go of its locks the same way).
    await mover.query('select pg_advisory_unlock_all()');
    mover.release();
    expect((await first.syncSchedulesNow()).upkeep?.recoveredMoves).toBe(1);
    expect(await movesOf()).toEqual([{ status: 'failed' }]);
    expect(await schemaExists(tenantSchema(starting.organizationId))).toBe(true);
  });

  it('is off when TENANT_UPKEEP_EVERY_MS is 0', async () => {
    await Promise.all(running.splice(0).map((w) => w.close()));
    const later = await signUp(t);
    await requestTenantDeletion(t.deps.database, later.organizationId, { by: 'ops@test', graceDays: 0 });
    const off = await startWorker({ ...config, TENANT_UPKEEP_EVERY_MS: 0 }, { scheduleSyncMs: 3_600_000 });
    running.push(off);
    const tick = await off.syncSchedulesNow();
    expect(tick.leader).toBe(true);
    expect(tick.upkeep).toBeUndefined();
    expect(await statusOf(later)).toBe('pending_deletion');
  });
});
