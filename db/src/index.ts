export {
  type AlertAction,
  type AlertEventFacts,
  type AlertStatus,
  AlertTransitionError,
  actOnAlert,
  alertEventPayload,
  alertResolvedPayload,
  LIVE_ALERT_STATUSES,
  type LockedAlert,
  lockAlert,
} from './alerts/alert-lifecycle.ts';
export { type EngineAlertsOf, reconcileEngineAlerts } from './alerts/reconcile-engine-alerts.ts';
export {
  countPlanResource,
  lockPlanUsage,
  type PlanUsage,
  planLimitsEnforced,
} from './billing/plan-usage.ts';
export {
  type ApplyTemplateOptions,
  type ApplyTemplateResult,
  applyCatalogueTemplate,
  applyCatalogueTemplateOnClient,
  type SqlRunner,
} from './catalogue/apply-template.ts';
export { catalogueTemplates, findCatalogueTemplate } from './catalogue/catalogue-templates.ts';
export {
  attachCells,
  type Cell,
  CellRegistry,
  type CellRegistryOptions,
  cellOf,
  cellsOf,
  defaultUrlEnv,
  MAIN_CELL,
  poolForCell,
} from './cells/cell-registry.ts';
export {
  type FinishedMove,
  finishMoves,
  type MoveOptions,
  type MoveReport,
  moveTenant,
  recoverMove,
} from './cells/move-tenant.ts';
export { type CellSummary, listCells, registerCell } from './cells/register-cell.ts';
export { checksumMismatches, schemaChecksums, type TableChecksum } from './cells/schema-checksums.ts';
export {
  isTenantMoving,
  TENANT_MOVING_RETRY_AFTER_SECONDS,
  TenantMovingError,
} from './cells/tenant-moving.ts';
export { databaseErrorCode, isDatabaseUnavailable, isRetryableConflict } from './database-errors.ts';
export {
  type EmittedEvent,
  EVENT_TYPES,
  type EventType,
  emitEvent,
  emitEvents,
} from './events/emit-event.ts';
export {
  currentIdempotencyClaim,
  type IdempotencyClaim,
  IdempotencyClaimLostError,
  markIdempotentCommit,
  markIdempotentCommitOnClient,
  runWithIdempotencyClaim,
} from './idempotency/idempotency-context.ts';
export {
  claimIdempotencyKey,
  expireIdempotencyKeys,
  type IdempotencyDecision,
  type IdempotencyRequest,
  settleIdempotencyKey,
} from './idempotency/idempotency-store.ts';
export {
  type BalanceDay,
  balanceSeries,
  knownAfterEachRow,
  STARTS_KNOWN,
} from './ledger/balance-history.ts';
export { LedgerError } from './ledger/ledger-error.ts';
export {
  type LedgerRow,
  type LotInfo,
  type NewEntry,
  type PlannedRow,
  planReplay,
  type ReplayPlan,
  wholeCountVariance,
} from './ledger/ledger-replay.ts';
export {
  applyStockDelta,
  ensureLot,
  type ItemLots,
  type LotRow,
  loadItemLots,
  loadTimeline,
  lockStockRows,
  type MovementKind,
  type MovementRequest,
  micros,
  type PlanEntry,
  type PostedMovement,
  postMovement,
  UNTRACKED_LOT,
  writeReplay,
} from './ledger/post-movement.ts';
export {
  MAX_REPORT_DAYS,
  type PostedStockReport,
  postStockReport,
  STOCK_REPORT_COLUMNS,
  type StockReportInput,
  type StockReportRow,
} from './ledger/stock-reports.ts';
export { migrationFiles, tenantMigrationSchemaViolations } from './migrate/migration-files.ts';
export type { MigrateAllReport, TenantMigrationResult } from './migrate/migrator.ts';
export { applyTenantMigrations, MIGRATION_LOCK_KEY, migrateAll, migrateControl } from './migrate/migrator.ts';
export {
  openRobotValue,
  type RobotSecretPart,
  resealRobotSecrets,
  robotUrlHint,
  sealRobotValue,
} from './notifications/robot-secrets.ts';
export { createDatabase, type Database, type Db, type Tx } from './pool.ts';
export { provisionTenant } from './provision/provision-tenant.ts';
export { type RecalculationBacklog, recalculationBacklog } from './recalculation/recalculation-backlog.ts';
export {
  deferRecalculations,
  hasDueRecalculations,
  type ItemLocationRef,
  type OutboxEntry,
  requestRecalculation,
  settleRecalculations,
  takeDueRecalculations,
  tenantsWithDueRecalculations,
} from './recalculation/recalculation-outbox.ts';
export { retryTransaction, TRANSACTION_ATTEMPTS } from './retry-transaction.ts';
export { openSecret, sealedKeyId, sealSecret } from './secrets/secret-box.ts';
export { type HeldLock, LockLostError, withSessionLock } from './session-lock.ts';
export * from './tables/catalogue.tables.ts';
export * from './tables/control.tables.ts';
export * from './tables/ledger.tables.ts';
export * from './tables/tenant.tables.ts';
export { organizationTimeZone, organizationToday } from './tenant/organization-time-zone.ts';
export {
  ARCHIVE_VERSION,
  ArchiveError,
  type ArchiveManifest,
  MANIFEST_ENTRY,
} from './tenant-lifecycle/archive-format.ts';
export {
  cancelTenantDeletion,
  DELETION_GRACE_DAYS,
  deleteTenant,
  dropErasedSchemas,
  type Erasure,
  eraseDueTenants,
  eraseTenant,
  requestTenantDeletion,
  TenantDeletionError,
} from './tenant-lifecycle/delete-tenant.ts';
export { type ExportOptions, exportTenant } from './tenant-lifecycle/export-tenant.ts';
export { type ImportOptions, type ImportResult, importTenant } from './tenant-lifecycle/import-tenant.ts';
export { isUuid, NO_TENANT_SCHEMA, tenantSchema } from './tenant-schema.ts';
export { createUploadStore } from './uploads/create-upload-store.ts';
export { S3_PART_BYTES, type S3Settings, S3UploadStore } from './uploads/s3-upload-store.ts';
export { chunksOf, PgUploadStore, UPLOAD_CHUNK_BYTES, type UploadStore } from './uploads/upload-store.ts';
export {
  openWebhookSecret,
  resealWebhookSecrets,
  sealWebhookSecret,
  webhookSecretHint,
} from './webhooks/webhook-secrets.ts';
export { runTenantTransaction, type TenantRef, withTenantDb } from './with-tenant-db.ts';
