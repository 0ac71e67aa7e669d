import type { CatalogueTemplate } from '@medstock/core';
import {
  applyCatalogueTemplate,
  catalogueTemplates,
  findCatalogueTemplate,
  withTenantDb,
} from '@medstock/db';
import { assertWithinPlan } from '../../billing/plan-limits.ts';
import type { AppDeps } from '../../deps.ts';
import { notFound } from '../../lib/problem.ts';
import type { AuthContext } from '../../plugins/access.ts';

function summaryOf(t: CatalogueTemplate) {
  const perCategory = new Map<string, number>();
  for (const item of t.items) perCategory.set(item.category, (perCategory.get(item.category) ?? 0) + 1);
  return {
    code: t.code,
    name: t.name,
    description: t.description,
    itemCount: t.items.length,
    categories: t.categories.map((c) => ({
      code: c.code,
      zh: c.zh,
      en: c.en,
      itemCount: perCategory.get(c.code) ?? 0,
    })),
  };
}

export function listTemplates() {
  return [...catalogueTemplates().values()].map(summaryOf);
}

function templateOr404(code: string): CatalogueTemplate {
  const t = findCatalogueTemplate(code);
  if (!t) throw notFound('The catalogue template');
  return t;
}

/** The template's summary and its first `limit` items (optionally of one category), for a preview. */
export function previewTemplate(code: string, limit: number, category?: string) {
  const t = templateOr404(code);
  const items = (category ? t.items.filter((i) => i.category === category) : t.items).slice(0, limit);
  return { ...summaryOf(t), items };
}

/**
 * Adds the template's missing items to the tenant (see applyCatalogueTemplate for the rules:
 * match by code, existing items untouched, GTIN clashes skipped). The plan's item limit is
 * checked against what would actually be created, in the same transaction.
 */
export async function applyTemplate(deps: AppDeps, auth: AuthContext, code: string) {
  const t = templateOr404(code);
  return withTenantDb(deps.database.db, auth, (tx) =>
    applyCatalogueTemplate(tx, t, { beforeInsert: (n) => assertWithinPlan(deps, auth, 'items', n, tx) }),
  );
}
