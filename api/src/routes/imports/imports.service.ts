import { createHash, randomUUID } from 'node:crypto';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  COLUMN_HEADERS_ZH,
  type ImportFormat,
  type ImportKind,
} from '@medstock/contracts/imports/import-columns.ts';
import type { StoredRowError } from '@medstock/contracts/imports/row-messages.ts';
import { isRowMessageCode, rowReasonText } from '@medstock/contracts/imports/row-messages.ts';
import { isDatabaseUnavailable, type Tx, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, paginate } from '../../lib/pagination.ts';
import { notFound, ProblemError, unauthorized } from '../../lib/problem.ts';
import { catalogueEntry } from '../../lib/problem-language.ts';
import type { ProblemLocale } from '../../lib/problem-messages/index.ts';
import { iso, isoRequired } from '../../lib/schemas.ts';
import { type AuthContext, checkAccess, type Scope } from '../../plugins/access.ts';

/** Who may import what: the catalogue is the admins', stock the storekeepers', orders the purchasers'. */
export const KIND_SCOPE: Record<ImportKind, Scope> = {
  items: 'admin',
  suppliers: 'admin',
  opening_balances: 'stock:write',
  movements: 'stock:write',
  purchase_orders: 'purchasing',
  stock_reports: 'stock:write',
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
  errors?: StoredRowError[];
  summary: Record<string, number>;
  progress: string | number;
  created_by: string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
  encoding: ImportEncoding;
  detected_encoding: string | null;
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
  encoding: r.encoding,
  detectedEncoding: r.detected_encoding,
});

const COLUMNS = sql`id, kind, format, status, file_name, file_size, total_rows, processed_rows, applied_rows, error_count,
                    summary, progress, created_by, created_at, started_at, finished_at, encoding, detected_encoding,
                    (created_at at time zone 'UTC')::text as cursor_at`;

/**
 * The request body of an upload, once received: the file is already in the upload store
 * (streamed, never held whole in memory) under the id its import will have, with its size and
 * SHA-256.
 */
export class UploadBody {
  /** Set once an import owns the file; an upload nobody took is deleted after the response. */
  taken = false;
  constructor(
    readonly tenantId: string,
    readonly importId: string,
    readonly contentType: string,
    readonly bytes: number,
    readonly sha256: string,
  ) {}

  /**
   * What the Idempotency-Key fingerprint sees: the content's hash, so a retry of the same file
   * is replayed and another file under the same key is refused, whatever their sizes.
   */
  toJSON() {
    return { upload: this.contentType, bytes: this.bytes, sha256: this.sha256 };
  }
}

const tooLarge = (limit: number) =>
  new ProblemError(
    413,
    'file_too_large',
    'Content too large',
    `The file is larger than the ${Math.floor(limit / 1048576)} MiB import limit.`,
    undefined,
    { params: { limitMiB: Math.floor(limit / 1048576) } },
  );

/** Counts bytes on their way to the store and stops the upload at the limit. */
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
 * Receives an upload (the content-type parser of POST /v1/imports calls it, before the
 * Idempotency-Key is looked at): streams the request body into the upload store (PostgreSQL),
 * hashing it on the way, so whichever worker runs the import can read it.
 */
export async function receiveUpload(
  deps: AppDeps,
  auth: AuthContext | null,
  stream: NodeJS.ReadableStream,
  headers: { 'content-type'?: string; 'content-length'?: string },
): Promise<UploadBody> {
  if (!auth) throw unauthorized();
  const contentType = String(headers['content-type'] ?? '')
    .split(';')[0]!
    .trim()
    .toLowerCase();
  const declared = Number(headers['content-length']);
  const limit = deps.config.IMPORT_MAX_BYTES;
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const tenantId = auth.organizationId;
  const importId = randomUUID();
  const counter = { bytes: 0 };
  const hash = createHash('sha256');
  try {
    await pipeline(
      stream,
      byteLimit(limit, counter),
      new Transform({
        transform(chunk: Buffer, _enc, done) {
          hash.update(chunk);
          done(null, chunk);
        },
      }),
      // The store removes what it had written when the stream fails (the size limit, a hang-up).
      (source: AsyncIterable<Buffer>) => deps.uploads.put(tenantId, importId, source),
    );
  } catch (err) {
    // The database going away is answered 503 by the error handler, not blamed on the client.
    if (err instanceof ProblemError || isDatabaseUnavailable(err)) throw err;
    throw new ProblemError(
      400,
      'upload_interrupted',
      'Bad request',
      'The upload ended before the whole file arrived.',
    );
  }
  if (counter.bytes === 0) {
    await deps.uploads.delete(tenantId, importId);
    throw new ProblemError(
      400,
      'empty_file',
      'Bad request',
      'The request body is empty: send the file as the body.',
    );
  }
  return new UploadBody(tenantId, importId, contentType, counter.bytes, hash.digest('hex'));
}

/** Encodings a CSV upload may be read in; `auto` reads valid UTF-8 as UTF-8, anything else as GB18030. */
export const IMPORT_ENCODINGS = ['auto', 'utf-8', 'gb18030', 'utf-16le'] as const;
export type ImportEncoding = (typeof IMPORT_ENCODINGS)[number];

/**
 * The import that already holds this file's content for this kind (queued, running or applied),
 * so the same history is never imported twice; a failed import does not count.
 */
async function importOfSameFile(tx: Tx, kind: ImportKind, sha256: string) {
  const r = await tx.execute<{
    id: string;
    file_name: string | null;
    created_at: Date | string;
    status: string;
  }>(sql`
    select id, file_name, created_at, status from import_jobs
     where kind = ${kind} and sha256 = ${sha256} and status <> 'failed'
     order by created_at limit 1`);
  return r.rows[0];
}

function duplicateImport(
  kind: ImportKind,
  earlier: { id: string; file_name: string | null; created_at: Date | string; status: string },
) {
  const importedAt = isoRequired(earlier.created_at);
  return new ProblemError(
    409,
    'duplicate_import',
    'This file was already imported',
    `A file with the same content was imported on ${importedAt} (import ${earlier.id}); importing it again would count its rows twice.`,
    undefined,
    {
      params: { kind, importId: earlier.id, importedAt, fileName: earlier.file_name ?? '' },
      duplicateOf: earlier.id,
    },
  );
}

/** Records the received upload as a queued import and enqueues its job (organisation and import ids only). */
export async function startImport(
  deps: AppDeps,
  auth: AuthContext,
  input: {
    kind: ImportKind;
    format: ImportFormat;
    fileName?: string;
    encoding?: ImportEncoding;
    body: UploadBody;
  },
) {
  checkAccess(auth, { scope: KIND_SCOPE[input.kind] });
  const tenantId = auth.organizationId;
  const { importId, sha256 } = input.body;
  const row = await withTenantDb(deps.database.db, auth, async (tx) => {
    const earlier = await importOfSameFile(tx, input.kind, sha256);
    if (earlier) throw duplicateImport(input.kind, earlier);
    // A concurrent upload of the same file loses the race on import_jobs_same_file.
    const inserted = await tx.execute<ImportRow>(sql`
        insert into import_jobs (id, kind, format, file_name, file_size, content_type, site_ids, created_by, sha256, encoding)
        values (${importId}, ${input.kind}, ${input.format}, ${input.fileName ?? null}, ${input.body.bytes}, ${input.body.contentType},
                ${auth.siteIds === null ? null : sql`${sql.param([...auth.siteIds])}::uuid[]`}, ${auth.userId}, ${sha256}, ${input.encoding ?? 'auto'})
        on conflict (kind, sha256) where sha256 is not null and status <> 'failed' do nothing
        returning ${COLUMNS}`);
    if (inserted.rows[0]) return inserted.rows[0];
    const winner = await importOfSameFile(tx, input.kind, sha256);
    throw duplicateImport(
      input.kind,
      winner ?? { id: importId, file_name: null, created_at: new Date(), status: 'queued' },
    );
  });
  // From here the import owns the file (the job deletes it; a failed enqueue below does).
  input.body.taken = true;
  try {
    await deps.jobs.enqueueImport(tenantId, importId);
  } catch {
    await withTenantDb(deps.database.db, auth, (tx) =>
      tx.execute(sql`
        update import_jobs set status = 'failed', finished_at = now(), error_count = 1,
               errors = ${JSON.stringify([{ line: 0, field: 'file', reason: 'the import could not be queued; upload the file again' }])}::jsonb
         where id = ${importId}`),
    );
    await deps.uploads.delete(tenantId, importId).catch(() => undefined);
    throw new ProblemError(
      503,
      'queue_unavailable',
      'Service unavailable',
      'The import could not be queued; try again shortly.',
      undefined,
      { messageKey: 'queue_unavailable.import' },
    );
  }
  return { ...importView(row), errors: [] };
}

/**
 * A stored row error in the reader's language: its words from the code it was stored with (the
 * stored English words for errors stored before codes existed), and the column as the reader's
 * template heads it (院区编码 / site_code).
 */
function localRowError(e: StoredRowError, locale: ProblemLocale) {
  let reason =
    e.code && isRowMessageCode(e.code)
      ? rowReasonText({ code: e.code, params: e.params ?? {} }, locale)
      : e.reason;
  // A ledger refusal is said in the words the API uses for the same refusal.
  if (e.code === 'ledger_refused' && typeof e.params?.ledgerCode === 'string') {
    const text =
      catalogueEntry(e.params.ledgerCode.replace('.', '_'), locale) ??
      catalogueEntry(e.params.ledgerCode, locale);
    if (text) reason = text.title;
  }
  return {
    line: e.line,
    field: e.field,
    label: locale === 'zh-CN' ? (COLUMN_HEADERS_ZH[e.field] ?? e.field) : e.field,
    reason,
    ...(e.code ? { code: e.code } : {}),
  };
}

export async function getImport(deps: AppDeps, auth: AuthContext, id: string, locale: ProblemLocale = 'en') {
  const r = await withTenantDb(deps.database.db, auth, (tx) =>
    tx.execute<ImportRow>(sql`select ${COLUMNS}, errors from import_jobs where id = ${id}`),
  );
  const row = r.rows[0];
  if (!row) throw notFound('The import');
  return { ...importView(row), errors: (row.errors ?? []).map((e) => localRowError(e, locale)) };
}

export async function listImports(
  deps: AppDeps,
  auth: AuthContext,
  filter: { kind?: ImportKind; status?: ImportRow['status'] },
  limit: number,
  cursor?: string,
) {
  const after = decodeCursor(cursor, ['timestamp', 'uuid']);
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
