import { sql } from 'drizzle-orm';
import type { Database, Tx } from '../pool.ts';
import { withTenantDb } from '../with-tenant-db.ts';

/**
 * Where uploaded files are kept between the API process that received one and the worker that
 * reads it. Every implementation is reachable from every process (PostgreSQL, object storage),
 * never a local folder, so API and worker can run on different machines.
 */
export interface UploadStore {
  /** Stores a file read from `source`; an error of the source (a size limit) stores nothing. */
  put(tenantId: string, fileId: string, source: AsyncIterable<Buffer>): Promise<void>;
  /** The file's bytes, in order; empty when there is no such file. */
  read(tenantId: string, fileId: string): AsyncIterable<Buffer>;
  /** Whether the file is stored (complete). */
  exists(tenantId: string, fileId: string): Promise<boolean>;
  delete(tenantId: string, fileId: string): Promise<void>;
  /**
   * Deletes files older than `olderThanMs` that no import still waiting or running holds: an
   * upload whose request died, an import whose job was lost. Returns how many.
   */
  sweep(tenantId: string, olderThanMs: number): Promise<number>;
}

/** About 1 MiB per row: large enough for few round trips, small enough to hold in memory. */
export const UPLOAD_CHUNK_BYTES = 1 << 20;

/** Re-cuts a stream of buffers of any size into chunks of `size` bytes (the last one shorter). */
export async function* chunksOf(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<Buffer> {
  let pending: Buffer[] = [];
  let length = 0;
  for await (const piece of source) {
    let buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
    while (length + buf.length >= size) {
      const take = size - length;
      pending.push(buf.subarray(0, take));
      yield Buffer.concat(pending, size);
      buf = buf.subarray(take);
      pending = [];
      length = 0;
    }
    if (buf.length > 0) {
      pending.push(buf);
      length += buf.length;
    }
  }
  if (length > 0) yield Buffer.concat(pending, length);
}

/**
 * Files in the organisation's own schema (import_files, migration tenant/0027), so a tenant's
 * export, move or deletion carries its uploads with it. Chunk 0 is written last: a file is
 * visible (`exists`) only once every chunk is stored, and an upload that failed midway leaves
 * chunks without a head, deleted at once (or by housekeeping after a crash).
 */
export class PgUploadStore implements UploadStore {
  constructor(
    private readonly database: Pick<Database, 'db'>,
    private readonly chunkBytes = UPLOAD_CHUNK_BYTES,
  ) {}

  private inTenant<T>(tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return withTenantDb(this.database.db, { organizationId: tenantId }, fn);
  }

  async put(tenantId: string, fileId: string, source: AsyncIterable<Buffer>): Promise<void> {
    let seq = 0;
    let head: Buffer | null = null;
    try {
      for await (const chunk of chunksOf(source, this.chunkBytes)) {
        if (seq === 0) head = chunk;
        else await this.writeChunk(tenantId, fileId, seq, chunk);
        seq++;
      }
      await this.writeChunk(tenantId, fileId, 0, head ?? Buffer.alloc(0));
    } catch (err) {
      await this.delete(tenantId, fileId).catch(() => undefined);
      throw err;
    }
  }

  private writeChunk(tenantId: string, fileId: string, seq: number, data: Buffer) {
    return this.inTenant(tenantId, (tx) =>
      tx.execute(sql`insert into import_files (file_id, seq, data) values (${fileId}, ${seq}, ${data})`),
    );
  }

  async *read(tenantId: string, fileId: string): AsyncGenerator<Buffer> {
    if (!(await this.exists(tenantId, fileId))) return;
    // One chunk per round trip: the worker never holds more than one in memory.
    for (let seq = 0; ; seq++) {
      const r = await this.inTenant(tenantId, (tx) =>
        tx.execute<{ data: Buffer }>(
          sql`select data from import_files where file_id = ${fileId} and seq = ${seq}`,
        ),
      );
      const row = r.rows[0];
      if (!row) return;
      if (row.data.length > 0) yield row.data;
    }
  }

  async exists(tenantId: string, fileId: string): Promise<boolean> {
    const r = await this.inTenant(tenantId, (tx) =>
      tx.execute(sql`select 1 from import_files where file_id = ${fileId} and seq = 0`),
    );
    return r.rows.length > 0;
  }

  async delete(tenantId: string, fileId: string): Promise<void> {
    await this.inTenant(tenantId, (tx) =>
      tx.execute(sql`delete from import_files where file_id = ${fileId}`),
    );
  }

  async sweep(tenantId: string, olderThanMs: number): Promise<number> {
    // An import's file is named by the import's id (the API stores it under that id).
    const r = await this.inTenant(tenantId, (tx) =>
      tx.execute(sql`
        delete from import_files f
         where f.file_id in (select file_id from import_files group by file_id
                              having min(created_at) < now() - make_interval(secs => ${olderThanMs / 1000}))
           and not exists (select 1 from import_jobs j
                            where j.id = f.file_id and j.status in ('queued', 'validating', 'applying'))
        returning file_id`),
    );
    return new Set(r.rows.map((x) => (x as { file_id: string }).file_id)).size;
  }
}
