import { suppliers, withTenantDb } from '@medstock/db';
import { and, asc, eq, gt, ilike, or, type SQL } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, paginate } from '../../lib/pagination.ts';
import { notFound } from '../../lib/problem.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { rethrowUnique } from '../items/item.queries.ts';

export type SupplierRow = typeof suppliers.$inferSelect;

export interface SupplierInput {
  code: string;
  name: string;
  contactEmail?: string | null;
  phone?: string | null;
  nominalLeadTimeDays?: number;
  active?: boolean;
}
export type SupplierPatch = Partial<Omit<SupplierInput, 'code'>>;

const uniqueSupplier = (code?: string) =>
  rethrowUnique({
    suppliers_code_key: ['supplier_code_taken', `A supplier with code '${code}' already exists.`, { code }],
  });

const likePattern = (q: string) => `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function listSuppliers(
  deps: AppDeps,
  auth: AuthContext,
  filter: { q?: string; active?: boolean },
  limit: number,
  cursor?: string,
) {
  const after = decodeCursor(cursor, ['text']);
  const conds: (SQL | undefined)[] = [
    filter.q
      ? or(ilike(suppliers.code, likePattern(filter.q)), ilike(suppliers.name, likePattern(filter.q)))
      : undefined,
    filter.active === undefined ? undefined : eq(suppliers.active, filter.active),
    after ? gt(suppliers.code, String(after[0])) : undefined,
  ];
  const rows = await withTenantDb(deps.database.db, auth, (tx) =>
    tx
      .select()
      .from(suppliers)
      .where(and(...conds))
      .orderBy(asc(suppliers.code))
      .limit(limit + 1),
  );
  return paginate(rows, limit, (r) => [r.code]);
}

export async function getSupplier(deps: AppDeps, auth: AuthContext, id: string) {
  const [row] = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.select().from(suppliers).where(eq(suppliers.id, id)),
  );
  if (!row) throw notFound('The supplier');
  return row;
}

export async function createSupplier(deps: AppDeps, auth: AuthContext, input: SupplierInput) {
  const [row] = await withTenantDb(deps.database.db, auth, (tx) =>
    tx
      .insert(suppliers)
      .values({
        code: input.code,
        name: input.name,
        contactEmail: input.contactEmail ?? null,
        phone: input.phone ?? null,
        nominalLeadTimeDays: input.nominalLeadTimeDays ?? 7,
        active: input.active ?? true,
      })
      .returning(),
  ).catch(uniqueSupplier(input.code));
  return row!;
}

/** Suppliers are deactivated (active=false), never deleted: purchase orders and lead-time history refer to them. */
export async function updateSupplier(deps: AppDeps, auth: AuthContext, id: string, patch: SupplierPatch) {
  const [row] = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.update(suppliers).set(patch).where(eq(suppliers.id, id)).returning(),
  );
  if (!row) throw notFound('The supplier');
  return row;
}
