import {
  applyCatalogueTemplateOnClient,
  CENTRAL_STORE,
  catalogueTemplates,
  findCatalogueTemplate,
} from '@medstock/db';
import type pg from 'pg';
import { unprocessable } from '../../lib/problem.ts';

export interface TenantSeedInput {
  siteName?: string;
  /** The language chosen at sign-up: names the first site and store when the clinic named none. */
  locale?: string;
  catalogueTemplate?: string;
}

/** Refuses an unknown starter catalogue with a field error (checked at sign-up and again at provisioning). */
export function assertKnownCatalogueTemplate(code: string | undefined) {
  const template = code ? findCatalogueTemplate(code) : undefined;
  if (code && !template) {
    const known = [...catalogueTemplates().keys()].join(', ');
    throw unprocessable(
      'unknown_catalogue_template',
      `There is no catalogue template '${code}'.`,
      [{ field: 'body:/catalogueTemplate', message: `unknown template (known: ${known})` }],
      { template: code, known: [...catalogueTemplates().keys()] },
    );
  }
  return template;
}

/**
 * The kind of the first site, from the starter catalogue the clinic picked: a community health
 * centre's catalogue makes a 社区卫生服务中心, a dental practice's a clinic. Without a template (or
 * for a template that names no kind of site) it is a hospital, as before.
 */
const SITE_KIND_OF_TEMPLATE: Record<string, 'hospital' | 'clinic' | 'community-centre'> = {
  'community-health-centre': 'community-centre',
  'dental-outpatient': 'clinic',
  'small-hospital-theatre': 'hospital',
};
export const siteKindForTemplate = (code: string | undefined) =>
  (code && SITE_KIND_OF_TEMPLATE[code]) || 'hospital';

/**
 * What a new organisation starts with: its first site and that site's central store, so a
 * clinic can record stock on its first visit, and the starter catalogue it picked. Runs inside
 * the provisioning transaction: an unknown template refuses the whole sign-up.
 */
export async function seedNewTenant(client: pg.PoolClient, input: TenantSeedInput): Promise<void> {
  const template = assertKnownCatalogueTemplate(input.catalogueTemplate);
  const chinese = (input.locale ?? 'zh-CN').startsWith('zh');
  const site = await client.query<{ id: string }>(
    `insert into sites (code, name, kind) values ('MAIN', $1, $2) returning id`,
    [input.siteName?.trim() || (chinese ? '本院' : 'Main site'), siteKindForTemplate(template?.code)],
  );
  await client.query('insert into locations (site_id, code, name, kind) values ($1, $2, $3, $4)', [
    site.rows[0]!.id,
    CENTRAL_STORE.code,
    chinese ? '中心库房' : 'Central store',
    CENTRAL_STORE.kind,
  ]);
  if (template) await applyCatalogueTemplateOnClient(client, template);
}
