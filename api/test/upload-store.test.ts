import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgUploadStore, S3UploadStore, tenantSchema, type UploadStore, withTenantDb } from '@medstock/db';
import { runImport } from '@medstock/worker/imports/run-import.ts';
import { sql } from 'drizzle-orm';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

// A real S3-compatible server (s3rver, on its own port and folder) stands for S3 or MinIO.
const BUCKET = 'medstock-uploads';
let s3dir: string;
let s3: S3rver;
let s3url: string;
let t: TestApp;
let org: SignedUp;
let uploadDir: string;

beforeAll(async () => {
  s3dir = mkdtempSync(join(tmpdir(), 'medstock-s3-'));
  uploadDir = mkdtempSync(join(tmpdir(), 'medstock-scratch-'));
  s3 = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: s3dir,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await s3.run();
  s3url = `http://127.0.0.1:${port}`;
  // The app stores uploads in S3 because S3_BUCKET is set.
  t = await startTestApp({
    S3_BUCKET: BUCKET,
    S3_ENDPOINT: s3url,
    S3_ACCESS_KEY_ID: 'S3RVER',
    S3_SECRET_ACCESS_KEY: 'S3RVER',
    UPLOAD_DIR: uploadDir,
  });
  org = await signUp(t);
});
afterAll(async () => {
  await t?.close();
  await s3?.close();
  rmSync(s3dir, { recursive: true, force: true });
  rmSync(uploadDir, { recursive: true, force: true });
});

async function* pieces(data: Buffer, size: number, failAfter?: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < data.length; at += size) {
    if (failAfter !== undefined && at >= failAfter) throw new Error('the client hung up');
    yield data.subarray(at, at + size);
  }
}
const readAll = async (it: AsyncIterable<Buffer>) => {
  const parts: Buffer[] = [];
  for await (const p of it) parts.push(p);
  return Buffer.concat(parts);
};

const stores: Array<[string, () => UploadStore]> = [
  ['PostgreSQL', () => new PgUploadStore(t.deps.database)],
  [
    'S3',
    () =>
      new S3UploadStore(
        { ...t.config, S3_BUCKET: BUCKET, S3_ENDPOINT: s3url },
        t.deps.database,
        // The smallest part S3 accepts, so a test file takes several.
        5 << 20,
      ),
  ],
];

describe.each(stores)('the %s upload store', (_name, make) => {
  it('stores a file in many pieces and reads back the same bytes; delete removes it', async () => {
    const store = make();
    const id = randomUUID();
    // 11 MiB arriving in 64 KiB pieces: several S3 parts, a dozen PostgreSQL chunks.
    const data = randomBytes(11 * 1048576 + 123);
    expect(await store.exists(org.organizationId, id)).toBe(false);
    await store.put(org.organizationId, id, pieces(data, 65536));
    expect(await store.exists(org.organizationId, id)).toBe(true);
    expect((await readAll(store.read(org.organizationId, id))).equals(data)).toBe(true);
    await store.delete(org.organizationId, id);
    expect(await store.exists(org.organizationId, id)).toBe(false);
    expect((await readAll(store.read(org.organizationId, id))).length).toBe(0);
  });

  it('an upload that fails midway leaves nothing', async () => {
    const store = make();
    const id = randomUUID();
    const data = randomBytes(7 * 1048576);
    await expect(store.put(org.organizationId, id, pieces(data, 65536, 6 * 1048576))).rejects.toThrow(
      'the client hung up',
    );
    expect(await store.exists(org.organizationId, id)).toBe(false);
    expect((await readAll(store.read(org.organizationId, id))).length).toBe(0);
  });

  it('the sweep removes files no waiting import holds, and keeps the others', async () => {
    const store = make();
    const orphan = randomUUID();
    const held = randomUUID();
    await store.put(org.organizationId, orphan, pieces(Buffer.from('code,name\n'), 4));
    await store.put(org.organizationId, held, pieces(Buffer.from('code,name\n'), 4));
    await withTenantDb(t.deps.database.db, org, (tx) =>
      tx.execute(
        sql`insert into import_jobs (id, kind, format, file_size) values (${held}, 'suppliers', 'csv', 10)`,
      ),
    );
    // A negative age takes every file, however recent (the clock's granularity does not matter).
    expect(await store.sweep(org.organizationId, -60_000)).toBeGreaterThanOrEqual(1);
    expect(await store.exists(org.organizationId, orphan)).toBe(false);
    expect(await store.exists(org.organizationId, held)).toBe(true);
  });
});

describe('with S3_BUCKET set', () => {
  it('an import is uploaded to the bucket through the API and read from it by the worker, then removed', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/imports?kind=suppliers&fileName=s.csv',
      headers: { ...org.headers, 'content-type': 'text/csv' },
      payload: 'code,name\nS3-SUP,Bucket supplies\n',
    });
    expect(res.statusCode, res.body).toBe(202);
    const id = res.json().id as string;
    const s3Store = stores[1]![1]();
    expect(await s3Store.exists(org.organizationId, id)).toBe(true);
    // Not in PostgreSQL: the configured store is the bucket.
    const inPg = await t.deps.database.pool.query(
      `select count(*)::int as n from ${tenantSchema(org.organizationId)}.import_files where file_id = $1`,
      [id],
    );
    expect(inPg.rows[0].n).toBe(0);
    const result = await runImport({ config: t.config, database: t.deps.database }, org.organizationId, id);
    expect(result.status).toBe('succeeded');
    const suppliers = await withTenantDb(t.deps.database.db, org, (tx) =>
      tx.execute<{ name: string }>(sql`select name from suppliers where code = 'S3-SUP'`),
    );
    expect(suppliers.rows.map((r) => r.name)).toEqual(['Bucket supplies']);
    expect(await s3Store.exists(org.organizationId, id)).toBe(false);
  });
});
