import type pg from 'pg';
import { MIGRATION_LOCK_KEY } from '../migrate/migrator.ts';
import { tenantSchema } from '../tenant-schema.ts';
import type { CellRegistry } from './cell-registry.ts';
import { copySchema } from './copy-schema.ts';
import { checksumMismatches, ident, schemaChecksums, type TableChecksum } from './schema-checksums.ts';
import { moveLockKeySql, moverLockKeySql } from './tenant-moving.ts';

export interface MoveOptions {
  /** How long the old copy is kept (renamed away) before finishMoves drops it. */
  graceHours?: number;
  /** Progress lines for the operator. */
  log?: (line: string) => void;
}

export interface MoveReport {
  moveId: string;
  from: string;
  to: string;
  tables: Record<string, TableChecksum>;
  retiredSchema: string;
  dropAfter: Date;
  /** How long the organisation's writes were held off (the move lock was held). */
  pausedMs: number;
}

/**
 * Moves one organisation's schema to another cell. Only that organisation pauses: its move lock
 * (see runTenantTransaction) is taken exclusively on the source cell, which waits for its writes in
 * flight and turns its new transactions read-only (writes answer 503 tenant_moving). Then:
 * copy into `<schema>_in` on the target, compare row counts and checksums table by table, and
 * switch in this order, still under the lock:
 *   1. the source schema is renamed to `<schema>_r<time>`: from now on no process, however stale
 *      its placement cache, can write the old copy (it finds no schema and asks again);
 *   2. the copy is renamed to `<schema>` on the target;
 *   3. control.organizations.cell names the target.
 * A failure before 3 undoes 1 and 2, so the organisation stays where it was. The old copy is
 * dropped after the grace period (finishMoves).
 */
export async function moveTenant(
  cells: CellRegistry,
  organizationId: string,
  toCell: string,
  opts: MoveOptions = {},
): Promise<MoveReport> {
  const log = opts.log ?? (() => {});
  const schema = tenantSchema(organizationId);
  const control = cells.control.pool;
  // A move whose mover died half-way is settled first.
  await recoverMove(cells, organizationId);
  const { rows: orgs } = await control.query<{ cell: string; status: string }>(
    'select cell, status from control.organizations where id = $1',
    [organizationId],
  );
  const org = orgs[0];
  if (!org) throw new Error(`no organisation ${organizationId}`);
  if (org.cell === toCell) throw new Error(`organisation ${organizationId} is already on cell '${toCell}'`);
  const { rows: targets } = await control.query<{ accepts_tenants: boolean }>(
    'select accepts_tenants from control.cells where name = $1',
    [toCell],
  );
  if (!targets[0]) throw new Error(`unknown database cell '${toCell}'`);
  if (!targets[0].accepts_tenants) throw new Error(`cell '${toCell}' does not accept organisations`);
  const source = await cells.cell(org.cell);
  const target = await cells.cell(toCell);

  const incoming = `${schema}_in`;
  const retired = `${schema}_r${new Date().toISOString().replace(/\D/g, '').slice(0, 14)}`;
  // The mover's session on the control database holds the mover lock (this move is alive) and the
  // migration lock for the whole move; both go with the session.
  const held = await control.connect();
  const letGo = async () => {
    await held.query('select pg_advisory_unlock_all()').catch(() => {});
    held.release();
  };
  let moveId: string;
  try {
    const { rows: mine } = await held.query<{ ok: boolean }>(
      `select pg_try_advisory_lock(${moverLockKeySql(schema)}) as ok`,
    );
    if (!mine[0]!.ok) throw new Error(`organisation ${organizationId} is already being moved`);
    const { rows: moves } = await held
      .query<{ id: string }>(
        `insert into control.tenant_moves (organization_id, from_cell, to_cell, status, retired_schema)
         values ($1, $2, $3, 'copying', $4) returning id`,
        [organizationId, org.cell, toCell, retired],
      )
      .catch((err: { code?: string }) => {
        if (err.code === '23505') throw new Error(`organisation ${organizationId} is already being moved`);
        throw err;
      });
    moveId = moves[0]!.id;
    // No migration runs during a move (it would change the schema under the copy), nor a move
    // during a migration.
    const { rows: free } = await held.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [
      MIGRATION_LOCK_KEY,
    ]);
    if (!free[0]!.ok) {
      await held.query(
        `update control.tenant_moves set status = 'failed', error = 'a migration is running', finished_at = now() where id = $1`,
        [moveId],
      );
      throw new Error('a migration is running; move afterwards');
    }
  } catch (err) {
    await letGo();
    throw err;
  }
  const graceHours = opts.graceHours ?? 24;

  const lock = await source.database.pool.connect();
  const copier = await target.database.pool.connect();
  let renamedSource = false;
  let renamedTarget = false;
  let pausedAt = 0;
  try {
    log(`pausing writes of ${organizationId} on cell '${org.cell}'`);
    // Counted from the request: a waiting exclusive request already turns new writes away.
    pausedAt = performance.now();
    await lock.query(`select pg_advisory_lock(${moveLockKeySql(schema)})`);
    log(`copying ${schema} to cell '${toCell}'`);
    const tables = await copySchema(lock, copier, schema, incoming);
    const sourceSums = await schemaChecksums(lock, schema, tables);
    const targetSums = await schemaChecksums(copier, incoming, tables);
    const mismatched = checksumMismatches(sourceSums, targetSums);
    if (mismatched.length) throw new Error(`copy differs from the source in: ${mismatched.join(', ')}`);
    const rows = Object.values(sourceSums).reduce((n, t) => n + t.rows, 0);
    log(`verified ${tables.length} tables, ${rows} rows: counts and checksums equal`);

    await lock.query(`alter schema ${ident(schema)} rename to ${ident(retired)}`);
    renamedSource = true;
    await copier.query(`alter schema ${ident(incoming)} rename to ${ident(schema)}`);
    renamedTarget = true;
    const { rows: switched } = await control.query<{ drop_after: Date }>(
      `with org as (update control.organizations set cell = $2 where id = $1)
       update control.tenant_moves
          set status = 'switched', switched_at = now(), verified = $3, retired_schema = $4,
              drop_after = now() + make_interval(hours => $5)
        where id = $6 returning drop_after`,
      [organizationId, toCell, JSON.stringify(sourceSums), retired, graceHours, moveId],
    );
    cells.invalidate(organizationId);
    const pausedMs = performance.now() - pausedAt;
    log(
      `switched ${organizationId} to cell '${toCell}'; old copy ${retired} kept until ${switched[0]!.drop_after.toISOString()}`,
    );
    return {
      moveId,
      from: org.cell,
      to: toCell,
      tables: sourceSums,
      retiredSchema: retired,
      dropAfter: switched[0]!.drop_after,
      pausedMs,
    };
  } catch (err) {
    await undo(lock, copier, { schema, incoming, retired, renamedSource, renamedTarget }).catch(() => {});
    await control
      .query(
        `update control.tenant_moves set status = 'failed', error = $2, finished_at = now() where id = $1`,
        [moveId, (err as Error).message],
      )
      .catch(() => {});
    throw err;
  } finally {
    await lock.query(`select pg_advisory_unlock(${moveLockKeySql(schema)})`).catch(() => {});
    lock.release();
    copier.release();
    await letGo();
  }
}

async function undo(
  lock: pg.PoolClient,
  copier: pg.PoolClient,
  s: { schema: string; incoming: string; retired: string; renamedSource: boolean; renamedTarget: boolean },
) {
  if (s.renamedTarget) await copier.query(`alter schema ${ident(s.schema)} rename to ${ident(s.incoming)}`);
  await copier.query(`drop schema if exists ${ident(s.incoming)} cascade`);
  if (s.renamedSource) await lock.query(`alter schema ${ident(s.retired)} rename to ${ident(s.schema)}`);
}

export interface FinishedMove {
  moveId: string;
  organizationId: string;
  cell: string;
  droppedSchema: string;
}

/**
 * Drops the old copies whose grace period has passed (`pnpm tenant move --finish`, and the
 * worker's housekeeping). `now` lets an operator finish early (--now) and tests skip the wait.
 */
export async function finishMoves(cells: CellRegistry, now: Date = new Date()): Promise<FinishedMove[]> {
  const { rows } = await cells.control.pool.query<{
    id: string;
    organization_id: string;
    from_cell: string;
    retired_schema: string;
  }>(
    `select id, organization_id, from_cell, retired_schema from control.tenant_moves
      where status = 'switched' and drop_after <= $1 order by switched_at`,
    [now],
  );
  const done: FinishedMove[] = [];
  for (const move of rows) {
    const cell = await cells.cell(move.from_cell);
    await cell.database.pool.query(`drop schema if exists ${ident(move.retired_schema)} cascade`);
    await cells.control.pool.query(
      `update control.tenant_moves set status = 'finished', finished_at = now() where id = $1`,
      [move.id],
    );
    done.push({
      moveId: move.id,
      organizationId: move.organization_id,
      cell: move.from_cell,
      droppedSchema: move.retired_schema,
    });
  }
  return done;
}

/**
 * Settles a move left `copying` by a mover that died (its move lock is free again). Both renames
 * done: the copy was verified and may already take writes, so the move goes forward (the switch
 * is made). Otherwise it goes back: the old copy gets its name again, the partial copy is
 * dropped. Returns what it did, or null when there was nothing to settle (or the mover lives).
 */
export async function recoverMove(
  cells: CellRegistry,
  organizationId: string,
  graceHours = 24,
): Promise<'forward' | 'back' | null> {
  const control = cells.control.pool;
  const { rows } = await control.query<{
    id: string;
    from_cell: string;
    to_cell: string;
    retired_schema: string;
  }>(
    `select id, from_cell, to_cell, retired_schema from control.tenant_moves
      where organization_id = $1 and status = 'copying'`,
    [organizationId],
  );
  const move = rows[0];
  if (!move) return null;
  const schema = tenantSchema(organizationId);
  // A live mover holds its mover lock from before its row exists: its move is not ours to settle.
  const owner = await control.connect();
  try {
    const { rows: mine } = await owner.query<{ ok: boolean }>(
      `select pg_try_advisory_lock(${moverLockKeySql(schema)}) as ok`,
    );
    if (!mine[0]!.ok) return null;
    try {
      return await settleDeadMove(cells, organizationId, move, graceHours);
    } finally {
      await owner.query(`select pg_advisory_unlock(${moverLockKeySql(schema)})`);
    }
  } finally {
    owner.release();
  }
}

async function settleDeadMove(
  cells: CellRegistry,
  organizationId: string,
  move: { id: string; from_cell: string; to_cell: string; retired_schema: string },
  graceHours: number,
): Promise<'forward' | 'back' | null> {
  const control = cells.control.pool;
  const schema = tenantSchema(organizationId);
  const source = await (await cells.cell(move.from_cell)).database.pool.connect();
  const target = await (await cells.cell(move.to_cell)).database.pool.connect();
  try {
    const { rows: free } = await source.query<{ ok: boolean }>(
      `select pg_try_advisory_lock(${moveLockKeySql(schema)}) as ok`,
    );
    if (!free[0]!.ok) return null;
    try {
      const exists = async (c: pg.PoolClient, name: string) =>
        (await c.query('select 1 from pg_namespace where nspname = $1', [name])).rowCount === 1;
      if (!(await exists(source, schema)) && (await exists(target, schema))) {
        await control.query(
          `with org as (update control.organizations set cell = $2 where id = $1)
           update control.tenant_moves set status = 'switched', switched_at = now(),
                  drop_after = now() + make_interval(hours => $3), error = 'recovered forward'
            where id = $4`,
          [organizationId, move.to_cell, graceHours, move.id],
        );
        cells.invalidate(organizationId);
        return 'forward';
      }
      await target.query(`drop schema if exists ${ident(`${schema}_in`)} cascade`);
      if (!(await exists(source, schema)) && (await exists(source, move.retired_schema)))
        await source.query(`alter schema ${ident(move.retired_schema)} rename to ${ident(schema)}`);
      await control.query(
        `update control.tenant_moves set status = 'failed', error = 'mover died; rolled back', finished_at = now() where id = $1`,
        [move.id],
      );
      return 'back';
    } finally {
      await source.query(`select pg_advisory_unlock(${moveLockKeySql(schema)})`);
    }
  } finally {
    source.release();
    target.release();
  }
}
