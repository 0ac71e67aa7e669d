import type pg from 'pg';

export interface TenantSeedInput {
  siteName?: string;
  catalogueTemplate?: string;
}

/**
 * What a new organisation starts with: its first site and that site's central store, so a
 * clinic can record stock on its first visit. Runs inside the provisioning transaction.
 */
export async function seedNewTenant(client: pg.PoolClient, input: TenantSeedInput): Promise<void> {
  const site = await client.query<{ id: string }>(
    `insert into sites (code, name, kind) values ('MAIN', $1, 'hospital') returning id`,
    [input.siteName?.trim() || 'Main site'],
  );
  await client.query(
    `insert into locations (site_id, code, name, kind) values ($1, 'CENTRAL', 'Central store 中心库', 'central-store')`,
    [site.rows[0]!.id],
  );
}
