import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { isUuid, withTenantDb } from '@medstock/db';
import type { ImportFormat, ImportKind } from '@medstock/worker/imports/import-columns.ts';
import { importDir, uploadPath } from '@medstock/worker/imports/upload-paths.ts';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, paginate } from '../../lib/pagination.ts';
import { notFound, ProblemError } from '../../lib/problem.ts';
import { iso, isoRequired } from '../../lib/schemas.ts';
import { type AuthContext, checkAccess, type Scope } from '../../plugins/access.ts';

/** Who may import what: the catalogue is the admins', stock the storekeepers', orders the purchasers'. */
export const KIND_SCOPE: Record<ImportKind, Scope> = {
  items: 'admin',
  suppliers: 'admin',
  opening_balances: 'stock:write',
  movements: 'stock:write',
  purchase_orders: 'purchasing',
};

type ImportRow = {
  id: string;
  kind: ImportKind;
  format: ImportFormat;
  status: 'queued' | 'validating' | 'applying' | 'succeeded' | 'failed';
  file_name: string | null;
  file_size: number;
  total_rows: number;
  processed_rows: number;
  applied_rows: number;
  error_count: number;
  errors?: Array<{ line: number; field: string; reason: string }>;
  summary: Record<string, number>;
  progress: string | number;
  created_by: string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  /** created_at to the microsecond, for the cursor (an ISO string keeps only milliseconds). */
  cursor_at: string;
};

export const importView = (r: ImportRow) => ({
  id: r.id,
  kind: r.kind,
  format: r.format,
  status: r.status,
  fileName: r.file_name,
  fileSize: Number(r.file_size),
  totalRows: Number(r.total_rows),
  processedRows: Number(r.processed_rows),
  appliedRows: Number(r.applied_rows),
  progress: Number(r.progress),
  errorCount: Number(r.error_count),
  summary: r.summary ?? {},
  createdBy: r.created_by,
  createdAt: isoRequired(r.created_at),
  startedAt: iso(r.started_at),
  finishedAt: iso(r.finished_at),
});

const COLUMNS = sql`id, kind, format, status, file_name, file_size, total_rows, processed_rows, applied_rows, error_count,
                    summary, progress, created_by, created_at, started_at, finished_at,
                    (created_at at time zone 'UTC')::text as cursor_at`;

/** The request body of an upload: the raw stream, handed through by the content-type parser. */
export class UploadBody {
  constructor(
    readonly stream: NodeJS.ReadableStream,
    readonly contentType: string,
    readonly declaredLength: number | null,
  ) {}

  /** What the idempotency hash sees: the upload's declared shape, never its bytes. */
  toJSON() {
    return { upload: this.contentType, length: this.declaredLength };
  }
}

const tooLarge = (limit: number) =>
  new ProblemError(
    413,
    'file_too_large',
    'Content too large',
    `The file is larger than the ${Math.floor(limit / 1048576)} MiB import limit.`,
  );

/** Counts bytes on their way to disk and stops the upload at the limit. */
function byteLimit(limit: number, counter: { bytes: number }) {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      counter.bytes += chunk.length;
      if (counter.bytes > limit) done(tooLarge(limit));
      else done(null, chunk);
    },
  });
}

/**
 * Accepts an import: streams the request body to UPLOAD_DIR (never buffered in memory), records
 * the import as queued and enqueues the import job with the organisation and import ids only.
 */

/** A (created_at, id) keyset cursor, checked before it reaches SQL. */
function timeCursor(cursor: string | undefined): [string, string] | undefined {
  const after = decodeCursor(cursor, 2);
  if (after === undefined) return undefined;
  const [at, id] = after;
  if (
    typeof at !== 'string' ||
    !/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?$/.test(at) ||
    typeof id !== 'string' ||
    !isUuid(id)
  ) {
    throw new ProblemError(400, 'invalid_cursor', 'Bad request', 'The cursor is not valid.', [
      { field: '/cursor', message: 'not a cursor returned by this endpoint' },
    ]);
  }
  return [at, id];
}

export async function startImport(
  deps: AppDeps,
  auth: AuthContext,
  input: { kind: ImportKind; format: ImportFormat; fileName?: string; body: UploadBody },
) {
  checkAccess(auth, { scope: KIND_SCOPE[input.kind] });
  const limit = deps.config.IMPORT_MAX_BYTES;
  if (input.body.declaredLength !== null && input.body.declaredLength > limit) throw tooLarge(limit);
  const tenantId = auth.organizationId;
  const importId = randomUUID();
  const path = uploadPath(deps.config, tenantId, importId);
  await mkdir(importDir(deps.config, tenantId), { recursive: true });
  const counter = { bytes: 0 };
  try {
    await pipeline(
      input.body.stream,
      byteLimit(limit, counter),
      createWriteStream(path, { highWaterMark: 1 << 20 }),
    );
  } catch (err) {
    await rm(path, { force: true });
    if (err instanceof ProblemError) throw err;
    throw new ProblemError(
      400,
      'upload_interrupted',
      'Bad request',
      'The upload ended before the whole file arrived.',
    );
  }
  if (counter.bytes === 0) {
    await rm(path, { force: true });
    throw new ProblemError(
      400,
      'empty_file',
      'Bad request',
      'The request body is empty: send the file as the body.',
    );
  }
  const [row] = (
    await withTenantDb(deps.database.db, auth, (tx) =>
      tx.execute<ImportRow>(sql`
        insert into import_jobs (id, kind, format, file_name, file_size, content_type, site_ids, created_by)
        values (${importId}, ${input.kind}, ${input.format}, ${input.fileName ?? null}, ${counter.bytes}, ${input.body.contentType},
                ${auth.siteIds === null ? null : sql`${sql.param([...auth.siteIds])}::uuid[]`}, ${auth.userId})
        returning ${COLUMNS}`),
    )
  ).rows;
  try {
    await deps.queue.add(
      'import',
      { tenantId, importId },
      {
        jobId: `import_${importId}`,
        attempts: 3,
        backoff: { type: 'exponential', delay: 5000 },
        removeOnComplete: 1000,
        removeOnFail: 1000,
      },
    );
  } catch {
    await withTenantDb(deps.database.db, auth, (tx) =>
      tx.execute(sql`
        update import_jobs set status = 'failed', finished_at = now(), error_count = 1,
               errors = ${JSON.stringify([{ line: 0, field: 'file', reason: 'the import could not be queued; upload the file again' }])}::jsonb
         where id = ${importId}`),
    );
    await rm(path, { force: true });
    throw new ProblemError(
      503,
      'queue_unavailable',
      'Service unavailable',
      'The import could not be queued; try again shortly.',
    );
  }
  return { ...importView(row!), errors: [] };
}

export async function getImport(deps: AppDeps, auth: AuthContext, id: string) {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<ImportRow>(sql`select ${COLUMNS}, errors from import_jobs where id = ${id}`),
  );
  const row = r.rows[0];
  if (!row) throw notFound('The import');
  return { ...importView(row), errors: row.errors ?? [] };
}

export async function listImports(
  deps: AppDeps,
  auth: AuthContext,
  filter: { kind?: ImportKind; status?: ImportRow['status'] },
  limit: number,
  cursor?: string,
) {
  const after = timeCursor(cursor);
  const rows = await withTenantDb(
    deps.database.db,
    auth,
    async (tx) =>
      (
        await tx.execute<ImportRow>(sql`
        select ${COLUMNS} from import_jobs
         where (${filter.kind ?? null}::text is null or kind = ${filter.kind ?? null})
           and (${filter.status ?? null}::text is null or status = ${filter.status ?? null})
           and (${after === undefined}::boolean or (created_at, id) < (${after?.[0] ?? null}::timestamp at time zone 'UTC', ${after?.[1] ?? null}::uuid))
         order by created_at desc, id desc limit ${limit + 1}`)
      ).rows,
  );
  const page = paginate(rows, limit, (r) => [r.cursor_at, r.id]);
  return { items: page.items.map(importView), nextCursor: page.nextCursor };
}
