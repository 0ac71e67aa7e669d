import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

/**
 * A tenant archive is one gzipped tar:
 *   manifest.json                     this manifest (always the first entry)
 *   tenant/<nnn>_<table>.copy         each tenant table, PostgreSQL COPY text format, FK order
 *   control/<table>.copy              the organisation's control-plane rows, same format
 * COPY text is PostgreSQL's own lossless form of every type (arrays, jsonb, numeric, bytea,
 * time zones), one row per line, so counts and checksums are taken on the bytes as they are.
 */
export const ARCHIVE_FORMAT = 'medstock-tenant-archive';
export const ARCHIVE_VERSION = 1;
export const MANIFEST_ENTRY = 'manifest.json';

export interface ArchivedTable {
  /** Table name (tenant tables: inside the tenant schema; control tables: inside `control`). */
  name: string;
  /** Entry name inside the tar. */
  entry: string;
  columns: string[];
  rows: number;
  /** sha256 (hex) of the entry's bytes. */
  sha256: string;
}

export interface ArchiveManifest {
  format: typeof ARCHIVE_FORMAT;
  version: number;
  createdAt: string;
  organizationId: string;
  /** The tenant migrations the schema had applied when exported: its migration level. */
  tenantMigrations: string[];
  /** The control-plane migrations of the exporting deployment (for the reader's information). */
  controlMigrations: string[];
  /** Whether users' password hashes are in the archive (otherwise they must reset them). */
  passwordHashes: boolean;
  /** Tenant tables in an order that restores with their foreign keys. */
  tenantTables: ArchivedTable[];
  controlTables: ArchivedTable[];
  /** Sequences of the tenant schema (order numbers, identity columns) and where they stood. */
  sequences: Array<{ name: string; lastValue: string; isCalled: boolean }>;
}

export class ArchiveError extends Error {}

/** Passes bytes through while counting COPY rows (newlines) and hashing them. */
export class CountingHash extends Transform {
  private readonly hash = createHash('sha256');
  rows = 0;
  bytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) this.rows++;
    done(null, chunk);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

export function parseManifest(text: string): ArchiveManifest {
  let m: ArchiveManifest;
  try {
    m = JSON.parse(text) as ArchiveManifest;
  } catch {
    throw new ArchiveError('the archive manifest is not JSON');
  }
  if (m?.format !== ARCHIVE_FORMAT) throw new ArchiveError('not a medstock tenant archive');
  if (m.version !== ARCHIVE_VERSION)
    throw new ArchiveError(
      `archive format version ${m.version} is not supported (this version reads ${ARCHIVE_VERSION})`,
    );
  return m;
}

/** A quoted SQL identifier (table and column names come from the catalogue, never from a user). */
export const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;
