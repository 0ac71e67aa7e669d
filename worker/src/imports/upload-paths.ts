import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AppConfig } from '@medstock/config';
import { tenantSchema, type UploadStore } from '@medstock/db';

/**
 * The worker's scratch files of an import, under UPLOAD_DIR on the worker's own disk: its copy
 * of the uploaded file (the original is in the upload store) and its validation spool. One
 * directory per organisation, named from the ids only (never from the client's file name).
 */
export function importDir(config: Pick<AppConfig, 'UPLOAD_DIR'>, tenantId: string): string {
  return join(config.UPLOAD_DIR, tenantSchema(tenantId));
}

export function localCopyPath(
  config: Pick<AppConfig, 'UPLOAD_DIR'>,
  tenantId: string,
  importId: string,
): string {
  return join(importDir(config, tenantId), `${importId}.upload`);
}

export function spoolPath(config: Pick<AppConfig, 'UPLOAD_DIR'>, tenantId: string, importId: string): string {
  return join(importDir(config, tenantId), `${importId}.copy`);
}

/** Copies the stored upload to `path`, streaming; false when the store has no such file. */
export async function fetchUpload(
  uploads: UploadStore,
  tenantId: string,
  importId: string,
  path: string,
): Promise<boolean> {
  if (!(await uploads.exists(tenantId, importId))) return false;
  await mkdir(join(path, '..'), { recursive: true });
  await pipeline(
    Readable.from(uploads.read(tenantId, importId)),
    createWriteStream(path, { highWaterMark: 1 << 20 }),
  );
  return true;
}
