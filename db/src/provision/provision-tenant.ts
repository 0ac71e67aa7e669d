import type pg from 'pg';
import { applyTenantMigrations } from '../migrate/migrator.ts';

/**
 * Creates the tenant schema, runs every tenant migration in it, lets the caller seed it, and only
 * then marks the organisation active, all in the caller's transaction: a failure anywhere rolls
 * back the schema, the seed and the organisation together, leaving nothing half-made.
 */
export async function provisionTenant(
  client: pg.PoolClient,
  organizationId: string,
  seed?: (client: pg.PoolClient) => Promise<void>,
): Promise<void> {
  await applyTenantMigrations(client, organizationId, { createSchema: true });
  if (seed) await seed(client);
  await client.query(`select set_config('search_path', 'no_tenant_bound', true)`);
  await client.query(
    `update control.organizations set status = 'active', activated_at = now() where id = $1`,
    [organizationId],
  );
}
