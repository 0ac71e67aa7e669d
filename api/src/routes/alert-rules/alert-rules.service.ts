import { completeRuleSet, DEFAULT_RULE_SET, type RuleSet } from '@medstock/core';
import { type Tx, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { conflict } from '../../lib/problem.ts';
import { iso } from '../../lib/schemas.ts';
import type { AuthContext } from '../../plugins/access.ts';

export interface SavedRuleSet {
  version: number;
  rules: RuleSet;
  isDefault: boolean;
  createdAt: string | null;
  createdBy: string | null;
}

type Row = { version: number; rules: unknown; created_by: string | null; created_at: string | Date };

// Rules saved by an older release may lack settings added since: core's completeRuleSet fills
// them from the defaults, the same way the engine reads them, so both see one complete rule set.
const saved = (r: Row): SavedRuleSet => ({
  version: r.version,
  rules: completeRuleSet(r.rules, r.version),
  isDefault: false,
  createdAt: iso(r.created_at),
  createdBy: r.created_by,
});

/** The built-in rules, version 1: what an organisation runs until it saves its own. */
export const DEFAULT_SAVED: SavedRuleSet = {
  version: DEFAULT_RULE_SET.version,
  rules: DEFAULT_RULE_SET,
  isDefault: true,
  createdAt: null,
  createdBy: null,
};

/** The rules in force, inside the caller's transaction. */
export async function rulesIn(tx: Tx): Promise<SavedRuleSet> {
  const r = await tx.execute<Row>(
    sql`select version, rules, created_by, created_at from rule_sets order by version desc limit 1`,
  );
  return r.rows[0] ? saved(r.rows[0]) : DEFAULT_SAVED;
}

export async function currentRules(deps: AppDeps, auth: AuthContext): Promise<SavedRuleSet> {
  return withTenantDb(deps.database.db, auth, rulesIn);
}

/**
 * Saves a complete rule set as a new version (the previous one + 1; the built-in rules count as
 * version 1, so the first saved set is version 2 and alerts fired by the defaults stay
 * distinguishable). `expectedVersion`, when given, must be the current version: an edit based on
 * rules someone else has changed since is refused with 409 instead of silently undoing theirs.
 */
export async function saveRules(
  deps: AppDeps,
  auth: AuthContext,
  rules: Omit<RuleSet, 'version'>,
  expectedVersion?: number,
): Promise<SavedRuleSet> {
  return withTenantDb(deps.database.db, auth, async (tx) => {
    // Two concurrent edits serialise here; the second sees the first's version.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`rule_sets:${auth.organizationId}`}))`);
    const cur = await tx.execute<{ v: number | null }>(sql`select max(version) as v from rule_sets`);
    const current = cur.rows[0]?.v ?? DEFAULT_RULE_SET.version;
    if (expectedVersion !== undefined && expectedVersion !== current) {
      throw conflict(
        'rule_set_changed',
        `The rules are at version ${current}, not ${expectedVersion}: reload them and apply your change again.`,
        { current, expected: expectedVersion },
      );
    }
    const version = current + 1;
    const full = completeRuleSet(rules, version);
    const r = await tx.execute<Row>(sql`
      insert into rule_sets (version, rules, created_by) values (${version}, ${JSON.stringify(full)}::jsonb, ${auth.userId ?? auth.apiKeyId})
      returning version, rules, created_by, created_at`);
    return saved(r.rows[0]!);
  });
}

/** Saved versions, newest first, then the built-in version 1 when it was never overwritten. */
export async function ruleVersions(deps: AppDeps, auth: AuthContext, limit: number, beforeVersion?: number) {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<Row>(sql`
      select version, rules, created_by, created_at from rule_sets
       ${beforeVersion !== undefined ? sql`where version < ${beforeVersion}` : sql``}
       order by version desc limit ${limit + 1}`),
  );
  const rows = r.rows.map(saved);
  const reachesEnd = rows.length <= limit;
  const lastVersion = rows[rows.length - 1]?.version ?? beforeVersion ?? Number.POSITIVE_INFINITY;
  if (reachesEnd && lastVersion > DEFAULT_RULE_SET.version) rows.push(DEFAULT_SAVED);
  return rows;
}
