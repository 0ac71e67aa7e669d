import { readdirSync, readFileSync } from 'node:fs';
import { shippedPath } from '@medstock/config';

export type MigrationTrack = 'control' | 'tenant';

export interface MigrationFile {
  name: string;
  sql: string;
}

const MIGRATIONS_DIR = shippedPath('migrations/');

const cache = new Map<MigrationTrack, MigrationFile[]>();

/** The SQL files of one track, in name order (0001_..., 0002_...). Read once per process. */
export function migrationFiles(track: MigrationTrack): MigrationFile[] {
  let files = cache.get(track);
  if (!files) {
    const dir = `${MIGRATIONS_DIR}${track}/`;
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.sql'))
      .sort()
      .map((name) => ({ name, sql: readFileSync(dir + name, 'utf8') }));
    if (track === 'tenant') assertTenantMigrationsNameNoSchema(files);
    cache.set(track, files);
  }
  return files;
}

// A tenant migration runs in every tenant schema with search_path bound to it; naming a schema
// would write into one fixed schema for every tenant (or into another tenant's).
const SCHEMA_REFERENCES: Array<[RegExp, string]> = [
  [/\b(control|public|pg_temp)\s*\.\s*"?\w/i, 'qualifies a name with a fixed schema'],
  [/\btenant_[0-9a-f]{8,}/i, 'names a tenant schema'],
  [/"\w+"\s*\.\s*"\w+"/, 'uses a quoted schema-qualified name'],
  [/\b(create|drop|alter)\s+schema\b/i, 'creates, drops or alters a schema'],
  [/\bsearch_path\b/i, 'changes search_path'],
];

export function tenantMigrationSchemaViolations(files: MigrationFile[]): string[] {
  const problems: string[] = [];
  for (const f of files) {
    const withoutComments = f.sql.replace(/--.*$/gm, '');
    for (const [pattern, why] of SCHEMA_REFERENCES) {
      const m = withoutComments.match(pattern);
      if (m) problems.push(`${f.name} ${why}: "${m[0]}"`);
    }
  }
  return problems;
}

function assertTenantMigrationsNameNoSchema(files: MigrationFile[]): void {
  const problems = tenantMigrationSchemaViolations(files);
  if (problems.length > 0)
    throw new Error(`Tenant migrations must not name a schema:\n${problems.join('\n')}`);
}
