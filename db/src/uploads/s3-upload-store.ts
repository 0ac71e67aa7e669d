import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import type { AppConfig } from '@medstock/config';
import { sql } from 'drizzle-orm';
import type { Database } from '../pool.ts';
import { tenantSchema } from '../tenant-schema.ts';
import { withTenantDb } from '../with-tenant-db.ts';
import { chunksOf, type UploadStore } from './upload-store.ts';

export type S3Settings = Pick<
  AppConfig,
  | 'S3_BUCKET'
  | 'S3_ENDPOINT'
  | 'S3_REGION'
  | 'S3_ACCESS_KEY_ID'
  | 'S3_SECRET_ACCESS_KEY'
  | 'S3_FORCE_PATH_STYLE'
>;

/** S3 parts must be at least 5 MiB (but the last); 8 MiB keeps memory flat and requests few. */
export const S3_PART_BYTES = 8 << 20;

const isNotFound = (err: unknown) => {
  const e = err as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404;
};

/**
 * Uploads in an S3-compatible bucket (AWS S3, MinIO, Ceph, OSS/COS gateways) when S3_BUCKET is
 * set: for files larger than a database should hold. A file is one object under its
 * organisation's schema name, written by multipart upload, so it becomes visible only once
 * complete (an aborted upload leaves nothing). Which files an import still needs is read from
 * the organisation's import_jobs, as with the PostgreSQL store.
 */
export class S3UploadStore implements UploadStore {
  private readonly s3: S3Client;
  private readonly bucket: string;

  constructor(
    settings: S3Settings,
    private readonly database: Pick<Database, 'db'>,
    private readonly partBytes = S3_PART_BYTES,
  ) {
    this.bucket = settings.S3_BUCKET;
    this.s3 = new S3Client({
      region: settings.S3_REGION,
      ...(settings.S3_ENDPOINT ? { endpoint: settings.S3_ENDPOINT } : {}),
      forcePathStyle: settings.S3_FORCE_PATH_STYLE,
      ...(settings.S3_ACCESS_KEY_ID
        ? {
            credentials: {
              accessKeyId: settings.S3_ACCESS_KEY_ID,
              secretAccessKey: settings.S3_SECRET_ACCESS_KEY,
            },
          }
        : {}),
    });
  }

  /** Named from the ids only, never from the client's file name. */
  private key(tenantId: string, fileId: string) {
    return `${tenantSchema(tenantId)}/${fileId}`;
  }

  async put(tenantId: string, fileId: string, source: AsyncIterable<Buffer>): Promise<void> {
    const Key = this.key(tenantId, fileId);
    const { UploadId } = await this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.bucket, Key }));
    const parts: Array<{ ETag: string | undefined; PartNumber: number }> = [];
    try {
      for await (const chunk of chunksOf(source, this.partBytes)) {
        const PartNumber = parts.length + 1;
        const r = await this.s3.send(
          new UploadPartCommand({ Bucket: this.bucket, Key, UploadId, PartNumber, Body: chunk }),
        );
        parts.push({ ETag: r.ETag, PartNumber });
      }
    } catch (err) {
      await this.s3
        .send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }))
        .catch(() => undefined);
      throw err;
    }
    if (parts.length === 0) {
      // A multipart upload needs a part: an empty file is one empty object.
      await this.s3.send(new AbortMultipartUploadCommand({ Bucket: this.bucket, Key, UploadId }));
      await this.s3.send(new PutObjectCommand({ Bucket: this.bucket, Key, Body: Buffer.alloc(0) }));
      return;
    }
    await this.s3.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.bucket,
        Key,
        UploadId,
        MultipartUpload: { Parts: parts },
      }),
    );
  }

  async *read(tenantId: string, fileId: string): AsyncGenerator<Buffer> {
    let body: AsyncIterable<Uint8Array>;
    try {
      const r = await this.s3.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.key(tenantId, fileId) }),
      );
      body = r.Body as AsyncIterable<Uint8Array>;
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    for await (const piece of body) yield Buffer.from(piece);
  }

  async exists(tenantId: string, fileId: string): Promise<boolean> {
    try {
      await this.s3.send(new HeadObjectCommand({ Bucket: this.bucket, Key: this.key(tenantId, fileId) }));
      return true;
    } catch (err) {
      if (isNotFound(err)) return false;
      throw err;
    }
  }

  async delete(tenantId: string, fileId: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(tenantId, fileId) }));
  }

  async sweep(tenantId: string, olderThanMs: number): Promise<number> {
    const prefix = `${tenantSchema(tenantId)}/`;
    const before = Date.now() - olderThanMs;
    const old: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await this.s3.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken }),
      );
      for (const o of page.Contents ?? [])
        if (o.Key && o.LastModified && o.LastModified.getTime() < before)
          old.push(o.Key.slice(prefix.length));
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    if (old.length === 0) return 0;
    // An import's file is named by the import's id; those still to run keep theirs.
    const held = await withTenantDb(this.database.db, { organizationId: tenantId }, (tx) =>
      tx.execute<{ id: string }>(sql`
        select id::text from import_jobs
         where id = any(${sql.param(old.filter((id) => /^[0-9a-f-]{36}$/.test(id)))}::uuid[])
           and status in ('queued', 'validating', 'applying')`),
    );
    const keep = new Set(held.rows.map((r) => r.id));
    const gone = old.filter((id) => !keep.has(id));
    for (const id of gone) await this.delete(tenantId, id);
    return gone.length;
  }
}
