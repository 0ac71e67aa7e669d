export { createDatabase, type Database, type Db, type Tx } from './pool.ts';
export { tenantSchema, isUuid, NO_TENANT_SCHEMA } from './tenant-schema.ts';
export { withTenantDb, type TenantRef } from './with-tenant-db.ts';
export * from './tables/control.tables.ts';
export * from './tables/tenant.tables.ts';
export { migrateAll, migrateControl, applyTenantMigrations, MIGRATION_LOCK_KEY } from './migrate/migrator.ts';
export type { MigrateAllReport, TenantMigrationResult } from './migrate/migrator.ts';
export { migrationFiles, tenantMigrationSchemaViolations } from './migrate/migration-files.ts';
export { provisionTenant } from './provision/provision-tenant.ts';
export * from './tables/catalogue.tables.ts';
export * from './tables/ledger.tables.ts';
export { postMovement, type MovementRequest, type MovementKind, type PostedMovement } from './ledger/post-movement.ts';
export { LedgerError } from './ledger/ledger-error.ts';
export { emitEvent, EVENT_TYPES, type EventType, type EmittedEvent } from './events/emit-event.ts';
export { catalogueTemplates, findCatalogueTemplate } from './catalogue/catalogue-templates.ts';
export {
  applyCatalogueTemplate,
  applyCatalogueTemplateOnClient,
  type ApplyTemplateOptions,
  type ApplyTemplateResult,
  type SqlRunner,
} from './catalogue/apply-template.ts';
