import { rm } from 'node:fs/promises';
import type { ImportFormat, ImportKind } from '@medstock/contracts/imports/import-columns.ts';
import {
  type RowMessageCode,
  type RowReason,
  rowReason,
  rowReasonText,
  type StoredRowError,
} from '@medstock/contracts/imports/row-messages.ts';
import {
  createUploadStore,
  emitEvent,
  isDatabaseUnavailable,
  organizationTimeZone,
  planLimitsEnforced,
  type Tx,
  type UploadStore,
  withSessionLock,
  withTenantDb,
} from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { JobContext } from '../jobs/job-context.ts';
import { detectFileEncoding, type RequestedEncoding } from './file-encoding.ts';
import { ApplyRowError, type KindImporter, type ValidateContext } from './importer.ts';
import { createItemsImporter } from './items.importer.ts';
import { createMovementsImporter } from './movements.importer.ts';
import { createOpeningBalancesImporter } from './opening-balances.importer.ts';
import { createPurchaseOrdersImporter } from './purchase-orders.importer.ts';
import { ImportFileError, openRowSource } from './read-rows.ts';
import { loadReferenceData } from './reference-data.ts';
import { createStockReportsImporter } from './stock-reports.importer.ts';
import { createSuppliersImporter } from './suppliers.importer.ts';
import { withTenantTransaction } from './tenant-transaction.ts';
import { fetchUpload, localCopyPath, spoolPath } from './upload-paths.ts';

/** Errors kept for the API (the count covers all of them). */
export const MAX_REPORTED_ERRORS = 1000;
/** Errors carried in the import.finished event. */
const EVENT_ERRORS = 20;
/** Kinds that change what the engine reads: a full recalculation follows them. */
const LEDGER_KINDS = new Set<ImportKind>([
  'opening_balances',
  'movements',
  'purchase_orders',
  'stock_reports',
]);

type ImportJobRow = {
  id: string;
  kind: ImportKind;
  format: ImportFormat;
  status: string;
  site_ids: string[] | null;
  created_by: string | null;
  file_size: number;
  encoding: RequestedEncoding;
};

export interface ImportResult {
  importId: string;
  status: 'succeeded' | 'failed' | 'skipped';
  totalRows?: number;
  errorCount?: number;
  summary?: Record<string, number>;
  reason?: string;
}

async function createImporter(row: ImportJobRow, ctx: ValidateContext): Promise<KindImporter> {
  switch (row.kind) {
    case 'items':
      return createItemsImporter(ctx);
    case 'suppliers':
      return createSuppliersImporter(ctx);
    case 'opening_balances':
      return createOpeningBalancesImporter(ctx, row.created_by);
    case 'movements':
      return createMovementsImporter(ctx, row.created_by);
    case 'purchase_orders':
      return createPurchaseOrdersImporter(ctx, row.created_by);
    case 'stock_reports':
      return createStockReportsImporter(ctx, row.created_by);
  }
}

// Errors from PostgreSQL while applying, in words a storekeeper can act on.
const PG_REASONS: Record<string, RowMessageCode> = {
  '23505': 'apply_duplicate',
  '23503': 'apply_reference',
  '23514': 'apply_rule',
  '40001': 'apply_conflict',
  '40P01': 'apply_conflict',
};

/**
 * Runs one import: pass 1 streams the file and validates every row (all errors collected, with
 * line, field and reason); any error fails the import and nothing is written. Pass 2 applies the
 * whole file in ONE transaction, whose last statements mark the import succeeded and write its
 * import.finished event, so "applied" and "succeeded" commit together or not at all. Progress
 * (rows, percent, errors so far) is saved every IMPORT_PROGRESS_EVERY_ROWS rows. Re-running a
 * job whose worker died starts over: nothing of an unfinished apply was committed.
 */
/**
 * What an import needs; without a producer (a bench, a test) nothing follows the commit. The
 * upload store defaults to the configured one (PostgreSQL, or S3 when S3_BUCKET is set), where the
 * API stored the file.
 */
type ImportContext = Pick<JobContext, 'config' | 'database'> &
  Partial<Pick<JobContext, 'producer'>> & { uploads?: UploadStore };

export async function runImport(
  ctx: ImportContext,
  tenantId: string,
  importId: string,
  onProgress?: (percent: number) => unknown,
): Promise<ImportResult> {
  // One runner per import, even if BullMQ hands a stalled job to a second worker while the
  // first still runs: a session advisory lock, released by PostgreSQL if this process dies.
  const locked = await withSessionLock(ctx.database.pool, `import:${importId}`, () =>
    importUnderLock(ctx, tenantId, importId, onProgress),
  );
  return locked.acquired ? locked.result : { importId, status: 'skipped', reason: 'running elsewhere' };
}

async function importUnderLock(
  ctx: ImportContext,
  tenantId: string,
  importId: string,
  onProgress?: (percent: number) => unknown,
): Promise<ImportResult> {
  const { config, database } = ctx;
  const tenant = { organizationId: tenantId };
  const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => withTenantDb(database.db, tenant, fn);
  const found = await inTenant((tx) =>
    tx.execute<ImportJobRow>(
      sql`select id, kind, format, status, site_ids, created_by, file_size, encoding from import_jobs where id = ${importId}`,
    ),
  );
  const job = found.rows[0];
  if (!job) return { importId, status: 'skipped', reason: 'no such import' };
  if (job.status === 'succeeded' || job.status === 'failed')
    return { importId, status: 'skipped', reason: `already ${job.status}` };

  const uploads = ctx.uploads ?? createUploadStore(config, database);
  // The worker's own copy of the stored file: read twice (validation, apply) and by encoding
  // detection, and removed when the import ends, whatever the outcome.
  const file = localCopyPath(config, tenantId, importId);
  const errors: StoredRowError[] = [];
  let errorCount = 0;
  const error = (line: number, field: string, reason: RowReason) => {
    errorCount++;
    if (errors.length < MAX_REPORTED_ERRORS)
      errors.push({ line, field, reason: rowReasonText(reason), code: reason.code, params: reason.params });
  };
  let rows = 0;
  let importer: KindImporter | null = null;
  let retryLater = false;

  const save = async (fields: {
    status?: 'validating' | 'applying';
    processed: number;
    applied?: number;
    total: number;
    progress: number;
    started?: boolean;
  }) => {
    const progress = Math.min(100, Math.max(0, Math.round(fields.progress * 100) / 100));
    await inTenant((tx) =>
      tx.execute(sql`
        update import_jobs set status = coalesce(${fields.status ?? null}::text, status), processed_rows = ${fields.processed},
               applied_rows = ${fields.applied ?? 0}, total_rows = ${fields.total}, progress = ${progress},
               error_count = ${errorCount}, errors = ${JSON.stringify(errors)}::jsonb,
               started_at = case when ${fields.started ?? false}::boolean then now() else started_at end
         where id = ${importId} and status in ('queued', 'validating', 'applying')`),
    );
    await onProgress?.(progress);
  };

  const finishedPayload = (status: 'succeeded' | 'failed', summary: Record<string, number>) => ({
    importId,
    kind: job.kind,
    format: job.format,
    status,
    totalRows: rows,
    appliedRows: status === 'succeeded' ? rows : 0,
    errorCount,
    errors: errors.slice(0, EVENT_ERRORS),
    summary,
  });

  const fail = async (): Promise<ImportResult> => {
    const deliveryIds = await inTenant(async (tx) => {
      await tx.execute(sql`
        update import_jobs set status = 'failed', total_rows = ${rows}, error_count = ${errorCount}, errors = ${JSON.stringify(errors)}::jsonb,
               applied_rows = 0, finished_at = now()
         where id = ${importId}`);
      return (await emitEvent(tx, 'import.finished', finishedPayload('failed', {}))).deliveryIds;
    });
    await afterCommit(deliveryIds, false);
    return { importId, status: 'failed', totalRows: rows, errorCount };
  };

  // Never throws: deliveries left pending are sent by the sweeper; a lost full-recalculation
  // request is caught up by the scheduled run (opening balances are in the outbox already).
  const afterCommit = async (deliveryIds: string[], recalculate: boolean) => {
    await ctx.producer?.enqueueWebhookDeliveries(tenantId, deliveryIds);
    // New history changes forecasts and policies at once, not at the next scheduled run.
    if (recalculate) await ctx.producer?.requestFullRecalculation(tenantId, `import-${importId}`);
  };

  try {
    if (!(await fetchUpload(uploads, tenantId, importId, file))) {
      error(0, 'file', rowReason('file_gone'));
      return await fail();
    }
    await save({ status: 'validating', processed: 0, total: 0, progress: 0, started: true });
    const refs = await inTenant((tx) => loadReferenceData(tx, job.site_ids));
    const vctx: ValidateContext = {
      importId,
      organizationId: tenantId,
      enforcePlanLimits: planLimitsEnforced(config),
      refs,
      spoolPath: spoolPath(config, tenantId, importId),
      notAfterMs: Date.now() + 86_400_000,
      timeZone: await inTenant((tx) => organizationTimeZone(tx)),
      error,
      hasErrors: () => errorCount > 0,
      withTx: inTenant,
    };
    importer = await createImporter(job, vctx);

    // How the bytes are read, decided once (detection reads the whole file) and shown on the import.
    const encoding = job.format === 'csv' ? await detectFileEncoding(file, job.encoding) : 'utf-8';
    await inTenant((tx) =>
      tx.execute(sql`update import_jobs set detected_encoding = ${encoding} where id = ${importId}`),
    );

    // Pass 1: validate everything.
    const source = await openRowSource(
      file,
      job.kind,
      job.format,
      (e) => error(e.line, e.field, e.reason),
      encoding,
    );
    const every = config.IMPORT_PROGRESS_EVERY_ROWS;
    const size = Math.max(1, Number(job.file_size) || 1);
    try {
      let sinceSave = 0;
      for await (const row of source.rows) {
        const pending = importer.validate(row);
        if (pending) await pending;
        if (++sinceSave >= every) {
          sinceSave = 0;
          rows = source.recordsRead();
          await save({ processed: rows, total: rows, progress: (50 * source.bytesRead()) / size });
        }
      }
    } catch (e) {
      if (!(e instanceof ImportFileError)) throw e;
      for (const reason of e.reasons) error(e.line, e.field, reason);
    }
    rows = source.recordsRead();
    await importer.finishValidation();
    if (rows === 0 && errorCount === 0) error(1, 'file', rowReason('no_rows'));
    if (errorCount > 0) return await fail();

    // Pass 2: apply all of it, or nothing.
    await save({ status: 'applying', processed: 0, total: rows, progress: 50 });
    const kindImporter = importer;
    const { summary, deliveryIds } = await withTenantTransaction(database, tenantId, async (tx, client) => {
      const summary = await kindImporter.apply({
        tx,
        client,
        rows: async function* () {
          const again = await openRowSource(file, job.kind, job.format, () => {}, encoding);
          yield* again.rows;
        },
        progress: (applied) =>
          save({ processed: applied, applied, total: rows, progress: 50 + (50 * applied) / rows }),
        every,
      });
      await tx.execute(sql`
        update import_jobs set status = 'succeeded', total_rows = ${rows}, processed_rows = ${rows}, applied_rows = ${rows},
               progress = 100, error_count = 0, errors = '[]', summary = ${JSON.stringify(summary)}::jsonb, finished_at = now()
         where id = ${importId}`);
      const ev = await emitEvent(tx, 'import.finished', finishedPayload('succeeded', summary));
      return { summary, deliveryIds: ev.deliveryIds };
    });
    await onProgress?.(100);
    await afterCommit(deliveryIds, LEDGER_KINDS.has(job.kind));
    return { importId, status: 'succeeded', totalRows: rows, errorCount: 0, summary };
  } catch (e) {
    // The database went away (a restart, an outage): nothing of the apply committed. Keep the
    // file and let the job's retry run the import again instead of failing it for good.
    if (isDatabaseUnavailable(e)) {
      retryLater = true;
      throw e;
    }
    if (e instanceof ApplyRowError) error(e.line, e.field, e.reason);
    else {
      const code = (e as { code?: string }).code ?? (e as { cause?: { code?: string } }).cause?.code;
      error(0, 'file', rowReason((code && PG_REASONS[code]) || 'apply_failed'));
      console.error(`import ${importId} of tenant ${tenantId} failed:`, e);
    }
    return await fail();
  } finally {
    await importer?.dispose().catch(() => {});
    await rm(file, { force: true }).catch(() => {});
    // A retry (the database went away) fetches the stored file again; anything else is final.
    if (!retryLater) await uploads.delete(tenantId, importId).catch(() => {});
  }
}
