import { type Tx, withTenantDb } from '@medstock/db';
import { type SQL, sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, paginate } from '../../lib/pagination.ts';
import { notFound, unprocessable } from '../../lib/problem.ts';
import { type AuthContext, assertSiteVisible } from '../../plugins/access.ts';
import { rethrowUnique } from '../items/item.queries.ts';

export type DepartmentRow = {
  id: string;
  site_id: string;
  code: string;
  name: string;
  cost_centre: string | null;
  location_id: string | null;
  active: boolean;
  created_at: Date;
  updated_at: Date;
};

const SELECT = sql`select id, site_id, code, name, cost_centre, location_id, active, created_at, updated_at from departments`;

export const departmentView = (r: DepartmentRow) => ({
  id: r.id,
  siteId: r.site_id,
  code: r.code,
  name: r.name,
  costCentre: r.cost_centre,
  locationId: r.location_id,
  active: r.active,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

const uniqueCode = (code?: string) =>
  rethrowUnique({
    departments_code_key: ['department_code_taken', `A department with code '${code}' already exists.`],
  });

/** A department the caller may see (its site within their limits), else 404 like one that does not exist. */
export async function visibleDepartment(tx: Tx, auth: AuthContext, id: string): Promise<DepartmentRow> {
  const r = await tx.execute<DepartmentRow>(sql`${SELECT} where id = ${id}`);
  const d = r.rows[0];
  if (!d) throw notFound('The department');
  assertSiteVisible(auth, d.site_id, 'The department');
  return d;
}

/** A department's own sub-store must be a location of its site. */
async function assertLocationOfSite(tx: Tx, siteId: string, locationId: string | null | undefined) {
  if (!locationId) return;
  const r = await tx.execute(sql`select 1 from locations where id = ${locationId} and site_id = ${siteId}`);
  if (!r.rowCount)
    throw unprocessable(
      'department_location_elsewhere',
      "The department's store must be a location of the department's site.",
      [{ field: 'body:/locationId', message: 'not a location of this site' }],
    );
}

export async function listDepartments(
  deps: AppDeps,
  auth: AuthContext,
  f: { siteId?: string; active?: boolean },
  limit: number,
  cursor?: string,
) {
  if (f.siteId) assertSiteVisible(auth, f.siteId);
  const after = decodeCursor(cursor, ['text']);
  const conds: SQL[] = [sql`true`];
  if (f.siteId) conds.push(sql`site_id = ${f.siteId}`);
  if (f.active !== undefined) conds.push(sql`active = ${f.active}`);
  if (auth.siteIds !== null) conds.push(sql`site_id = any(${sql.param([...auth.siteIds])}::uuid[])`);
  if (after) conds.push(sql`code > ${String(after[0])}`);
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<DepartmentRow>(
      sql`${SELECT} where ${sql.join(conds, sql` and `)} order by code limit ${limit + 1}`,
    ),
  );
  const page = paginate(r.rows, limit, (d) => [d.code]);
  return { items: page.items.map(departmentView), nextCursor: page.nextCursor };
}

export interface DepartmentInput {
  siteId: string;
  code: string;
  name: string;
  costCentre?: string | null;
  locationId?: string | null;
}

export async function createDepartment(deps: AppDeps, auth: AuthContext, input: DepartmentInput) {
  assertSiteVisible(auth, input.siteId);
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const site = await tx.execute(sql`select 1 from sites where id = ${input.siteId}`);
    if (!site.rowCount) throw notFound('The site');
    await assertLocationOfSite(tx, input.siteId, input.locationId);
    const r = await tx
      .execute<DepartmentRow>(sql`
        insert into departments (site_id, code, name, cost_centre, location_id)
        values (${input.siteId}, ${input.code}, ${input.name}, ${input.costCentre ?? null}, ${input.locationId ?? null})
        returning id, site_id, code, name, cost_centre, location_id, active, created_at, updated_at`)
      .catch(uniqueCode(input.code));
    return departmentView(r.rows[0]!);
  });
}

export async function updateDepartment(
  deps: AppDeps,
  auth: AuthContext,
  id: string,
  patch: Partial<Omit<DepartmentInput, 'siteId'>> & { active?: boolean },
) {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    const d = await visibleDepartment(tx, auth, id);
    await assertLocationOfSite(tx, d.site_id, patch.locationId);
    const r = await tx
      .execute<DepartmentRow>(sql`
        update departments set
          code = ${patch.code ?? d.code}, name = ${patch.name ?? d.name},
          cost_centre = ${patch.costCentre === undefined ? d.cost_centre : patch.costCentre},
          location_id = ${patch.locationId === undefined ? d.location_id : patch.locationId}::uuid,
          active = ${patch.active ?? d.active}, updated_at = now()
        where id = ${id}
        returning id, site_id, code, name, cost_centre, location_id, active, created_at, updated_at`)
      .catch(uniqueCode(patch.code));
    return departmentView(r.rows[0]!);
  });
}
