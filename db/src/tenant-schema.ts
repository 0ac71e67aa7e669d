/**
 * The one place a tenant schema name is made. It depends only on the organisation id (a UUID),
 * never on client input, so no request can steer a query into another tenant's schema.
 */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function tenantSchema(organizationId: string): string {
  if (!UUID.test(organizationId)) throw new Error(`tenantSchema: not an organisation id: ${organizationId}`);
  return `tenant_${organizationId.toLowerCase().replaceAll('-', '')}`;
}

export function isUuid(value: string): boolean {
  return UUID.test(value);
}

/** Used as the pool's default search_path so unqualified tenant tables fail outside withTenantDb. */
export const NO_TENANT_SCHEMA = 'no_tenant_bound';
