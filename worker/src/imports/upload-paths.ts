import { join } from 'node:path';
import type { AppConfig } from '@medstock/config';
import { tenantSchema } from '@medstock/db';

/**
 * Where an import's uploaded file and its validation spool live: one directory per organisation
 * under UPLOAD_DIR, named from the ids only (never from the client's file name).
 */
export function importDir(config: Pick<AppConfig, 'UPLOAD_DIR'>, tenantId: string): string {
  return join(config.UPLOAD_DIR, tenantSchema(tenantId));
}

export function uploadPath(
  config: Pick<AppConfig, 'UPLOAD_DIR'>,
  tenantId: string,
  importId: string,
): string {
  return join(importDir(config, tenantId), `${importId}.upload`);
}

export function spoolPath(config: Pick<AppConfig, 'UPLOAD_DIR'>, tenantId: string, importId: string): string {
  return join(importDir(config, tenantId), `${importId}.copy`);
}
