import type { Database } from '../pool.ts';
import { type S3Settings, S3UploadStore } from './s3-upload-store.ts';
import { PgUploadStore, type UploadStore } from './upload-store.ts';

/** The upload store the configuration names: S3-compatible storage when S3_BUCKET is set, else PostgreSQL. */
export function createUploadStore(config: S3Settings, database: Pick<Database, 'db'>): UploadStore {
  return config.S3_BUCKET ? new S3UploadStore(config, database) : new PgUploadStore(database);
}
