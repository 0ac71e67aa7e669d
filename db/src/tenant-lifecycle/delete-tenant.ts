import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { cellsOf } from '../cells/cell-registry.ts';
import { moveLockKeySql } from '../cells/tenant-moving.ts';
import { MIGRATION_LOCK_KEY } from '../migrate/migrator.ts';
import type { Database } from '../pool.ts';
import { isUuid, tenantSchema } from '../tenant-schema.ts';
import { ident } from './archive-format.ts';
import { connectBoth, tenantPoolFor } from './tenant-pool.ts';

/** How long an organisation asked to be erased waits before it is: time to change one's mind. */
export const DELETION_GRACE_DAYS = 30;

export class TenantDeletionError extends Error {}

export interface DeletionRequest {
  organizationId: string;
  requestedAt: Date;
  dueAt: Date;
}

/**
 * First step of an erasure: the organisation is closed (no sign-in, no API key, the API answers
 * with the `organization_pending_deletion` problem), its sessions are ended, and the moment it
 * may be erased is recorded. Asking again changes nothing and returns the first request.
 */
export async function requestTenantDeletion(
  { pool }: Database,
  organizationId: string,
  opts: { by: string; graceDays?: number },
): Promise<DeletionRequest> {
  assertId(organizationId);
  const graceDays = opts.graceDays ?? DELETION_GRACE_DAYS;
  const client = await pool.connect();
  try {
    await client.query('begin');
    const { rows } = await client.query<{
      status: string;
      deletion_requested_at: Date;
      deletion_due_at: Date;
    }>(
      'select status, deletion_requested_at, deletion_due_at from control.organizations where id = $1 for update',
      [organizationId],
    );
    const org = rows[0];
    if (!org) throw new TenantDeletionError(`no organisation ${organizationId}`);
    if (org.status !== 'pending_deletion') {
      const marked = await client.query<{ deletion_requested_at: Date; deletion_due_at: Date }>(
        `update control.organizations
            set status = 'pending_deletion', deletion_requested_at = now(), deletion_requested_by = $2,
                deletion_due_at = now() + make_interval(days => $3)
          where id = $1 returning deletion_requested_at, deletion_due_at`,
        [organizationId, opts.by, graceDays],
      );
      Object.assign(org, marked.rows[0]);
      await client.query(
        'update control.sessions set revoked_at = now() where organization_id = $1 and revoked_at is null',
        [organizationId],
      );
      await client.query(
        `insert into control.audit_log (organization_id, actor_type, action, method, path, status_code, request_id)
         values ($1, 'system', 'organization.deletion_requested', 'CLI', 'tenant delete', 202, $2)`,
        [organizationId, `cli-${randomUUID()}`],
      );
    }
    await client.query('commit');
    return { organizationId, requestedAt: org.deletion_requested_at, dueAt: org.deletion_due_at };
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  } finally {
    client.release();
  }
}

/** Withdraws a deletion request during its grace period: the organisation is active again. */
export async function cancelTenantDeletion({ pool }: Database, organizationId: string): Promise<boolean> {
  assertId(organizationId);
  const r = await pool.query(
    `update control.organizations
        set status = 'active', deletion_requested_at = null, deletion_requested_by = null, deletion_due_at = null
      where id = $1 and status = 'pending_deletion'`,
    [organizationId],
  );
  return (r.rowCount ?? 0) > 0;
}

export interface Erasure {
  organizationId: string;
  immediate: boolean;
  removed: { tenant: Record<string, number>; control: Record<string, number> };
}

/**
 * Erases an organisation whose grace period has ended (or at once with `immediate`, for
 * operators and tests): its tenant schema, its control rows (organisation, memberships, sessions,
 * API keys, invitations, audit entries, billing events, sign-up requests, idempotency records) and
 * the accounts of people who belong to no other organisation. What remains is one row in
 * control.tenant_erasures: the id, who asked and who erased, when, and how many rows went.
 */
export async function eraseTenant(
  control: Database,
  organizationId: string,
  opts: { by: string; immediate?: boolean },
): Promise<Erasure> {
  assertId(organizationId);
  const schema = tenantSchema(organizationId);
  const placed = await tenantPoolFor(control, organizationId);
  const clients = await connectBoth(control.pool, placed.pool);
  const both = [...new Set([clients.control, clients.tenant])];
  try {
    for (const c of both) await c.query('begin');
    const db = clients.control;
    const { rows } = await db.query<{
      status: string;
      cell: string;
      due: boolean;
      deletion_requested_at: Date | null;
      deletion_requested_by: string | null;
    }>(
      `select status, cell, deletion_due_at <= now() as due, deletion_requested_at, deletion_requested_by
         from control.organizations where id = $1 for update`,
      [organizationId],
    );
    const org = rows[0];
    if (!org) throw new TenantDeletionError(`no organisation ${organizationId}`);
    if (!opts.immediate && org.status !== 'pending_deletion')
      throw new TenantDeletionError(`organisation ${organizationId} has not been asked to be deleted`);
    if (!opts.immediate && !org.due)
      throw new TenantDeletionError(`organisation ${organizationId} is in its grace period: not erased`);
    // A move holds the organisation's move lock while it copies: erasure waits for it, then checks
    // that the schema is still where it looked (a finished move switched the cell).
    await clients.tenant.query(`select pg_advisory_xact_lock(${moveLockKeySql(schema)})`);
    if (org.cell !== placed.cell)
      throw new TenantDeletionError(
        `organisation ${organizationId} moved to cell ${org.cell} meanwhile: run again`,
      );

    const removed = {
      tenant: await tenantRowCounts(clients.tenant, schema),
      control: {} as Record<string, number>,
    };
    const del = async (label: string, query: string) => {
      const r = await db.query(query, [organizationId]);
      removed.control[label] = r.rowCount ?? 0;
    };
    // People who belong to this organisation only: their accounts go with it (after the
    // organisation row, whose cascade removes their memberships).
    await db.query(
      `create temp table erase_users on commit drop as
       select m.user_id from control.memberships m where m.organization_id = $1
          and not exists (select 1 from control.memberships o where o.user_id = m.user_id and o.organization_id <> $1)`,
      [organizationId],
    );
    for (const table of ['memberships', 'sessions', 'api_keys', 'invitations', 'audit_log']) {
      const r = await db.query(`select count(*)::int as n from control.${table} where organization_id = $1`, [
        organizationId,
      ]);
      removed.control[table] = r.rows[0].n;
    }
    await del('stripe_events', 'delete from control.stripe_events where organization_id = $1');
    await del('signup_requests', 'delete from control.signup_requests where organization_id = $1');
    await del('idempotency_keys', 'delete from control.idempotency_keys where organization_id = $1');
    await del('organizations', 'delete from control.organizations where id = $1');
    const users = await db.query(
      'delete from control.users where id in (select user_id from pg_temp.erase_users)',
    );
    removed.control.users = users.rowCount ?? 0;
    await db.query(
      `insert into control.tenant_erasures
         (organization_id, schema_name, requested_at, requested_by, erased_by, immediate, removed)
       values ($1, $2, coalesce($3, now()), coalesce($4, $5), $5, $6, $7)`,
      [
        organizationId,
        schema,
        org.deletion_requested_at,
        org.deletion_requested_by,
        opts.by,
        !org.due,
        removed,
      ],
    );
    await clients.tenant.query(`drop schema if exists ${ident(schema)} cascade`);
    // The schema goes last: if the control plane cannot commit, the tenant's data is still there.
    await db.query('commit');
    if (!clients.shared) await clients.tenant.query('commit');
    return { organizationId, immediate: !org.due, removed };
  } catch (err) {
    for (const c of both) await c.query('rollback').catch(() => {});
    throw err;
  } finally {
    clients.release();
  }
}

/**
 * `pnpm tenant delete <org>`: the first call asks (requestTenantDeletion); a call once the grace
 * period has ended erases.
 */
export async function deleteTenant(
  control: Database,
  organizationId: string,
  opts: { by: string; graceDays?: number },
): Promise<{ erased: Erasure; request?: undefined } | { erased?: undefined; request: DeletionRequest }> {
  assertId(organizationId);
  const { rows } = await control.pool.query<{ due: boolean }>(
    `select deletion_due_at <= now() as due from control.organizations where id = $1 and status = 'pending_deletion'`,
    [organizationId],
  );
  if (rows[0]?.due) return { erased: await eraseTenant(control, organizationId, opts) };
  return { request: await requestTenantDeletion(control, organizationId, opts) };
}

/** Every organisation whose grace period has ended, erased one by one (the scheduled call). */
export async function eraseDueTenants(control: Database, opts: { by: string }): Promise<Erasure[]> {
  const { rows } = await control.pool.query<{ id: string }>(
    `select id from control.organizations where status = 'pending_deletion' and deletion_due_at <= now() order by deletion_due_at`,
  );
  const done: Erasure[] = [];
  for (const { id } of rows) done.push(await eraseTenant(control, id, opts));
  return done;
}

/**
 * Drops the schemas of erased organisations still found on a cell. On a cell other than the control
 * database an erasure commits the control rows first and the schema drop second, so a failure in
 * between leaves the schema behind; this finishes it (the worker's upkeep runs it). A schema whose
 * organisation exists again (restored from its archive as the same organisation) is left alone, and
 * nothing is dropped while an import or a migration runs: the sweep takes the migration lock that
 * an import holds shared until its control rows commit, or skips this time (null).
 */
export async function dropErasedSchemas(
  control: Database,
): Promise<Array<{ cell: string; schema: string }> | null> {
  // Looked for without the lock first: most hours there is nothing, and the lock is not taken.
  if ((await erasedSchemasLeft(control, control.pool)).length === 0) return [];
  const client = await control.pool.connect();
  try {
    await client.query('begin');
    const { rows: free } = await client.query<{ ok: boolean }>('select pg_try_advisory_xact_lock($1) as ok', [
      MIGRATION_LOCK_KEY,
    ]);
    if (!free[0]!.ok) return null;
    // Again under the lock: an organisation restored meanwhile keeps its schema.
    const left = await erasedSchemasLeft(control, client);
    for (const { pool, schema } of left) await pool.query(`drop schema if exists ${ident(schema)} cascade`);
    return left.map(({ cell, schema }) => ({ cell, schema }));
  } finally {
    await client.query('rollback').catch(() => {});
    client.release();
  }
}

/** Schemas of erased organisations that are not organisations again, found on each cell this process can open. */
async function erasedSchemasLeft(control: Database, client: pg.Pool | pg.PoolClient) {
  const { rows: erased } = await client.query<{ schema_name: string }>(
    'select distinct schema_name from control.tenant_erasures',
  );
  const { rows: orgs } = await client.query<{ id: string }>('select id from control.organizations');
  const existing = new Set(orgs.map((o) => tenantSchema(o.id)));
  const names = erased.map((e) => e.schema_name).filter((n) => !existing.has(n));
  const found: Array<{ cell: string; pool: pg.Pool; schema: string }> = [];
  if (names.length === 0) return found;
  const { rows: cellNames } = await client.query<{ name: string }>(
    'select name from control.cells order by name',
  );
  const cells = cellsOf(control.db);
  for (const { name } of cellNames) {
    // A cell this process cannot open (its URL variable unset here) is left for the next run.
    const pool = await cells
      .cell(name)
      .then((c) => c.database.pool)
      .catch(() => null);
    if (!pool) continue;
    const { rows } = await pool.query<{ nspname: string }>(
      'select nspname from pg_namespace where nspname = any($1::text[])',
      [names],
    );
    for (const { nspname } of rows) found.push({ cell: name, pool, schema: nspname });
  }
  return found;
}

async function tenantRowCounts(tenant: pg.PoolClient, schema: string): Promise<Record<string, number>> {
  const { rows: tables } = await tenant.query<{ name: string }>(
    `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = $1 and c.relkind in ('r', 'p') and not c.relispartition order by c.relname`,
    [schema],
  );
  const counts: Record<string, number> = {};
  for (const { name } of tables) {
    const r = await tenant.query(`select count(*)::int as n from ${ident(schema)}.${ident(name)}`);
    counts[name] = r.rows[0].n;
  }
  return counts;
}

function assertId(organizationId: string): void {
  if (!isUuid(organizationId)) throw new TenantDeletionError(`not an organisation id: ${organizationId}`);
}
