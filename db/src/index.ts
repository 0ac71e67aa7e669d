export { createDatabase, type Database, type Db, type Tx } from './pool.ts';
export { tenantSchema, isUuid, NO_TENANT_SCHEMA } from './tenant-schema.ts';
export { withTenantDb, type TenantRef } from './with-tenant-db.ts';
export * from './tables/control.tables.ts';
export * from './tables/tenant.tables.ts';
export { migrateAll, migrateControl, applyTenantMigrations, MIGRATION_LOCK_KEY } from './migrate/migrator.ts';
export type { MigrateAllReport, TenantMigrationResult } from './migrate/migrator.ts';
export { migrationFiles, tenantMigrationSchemaViolations } from './migrate/migration-files.ts';
export { provisionTenant } from './provision/provision-tenant.ts';
