import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * A fresh database per test file, cloned from the migrated template that `npm test` prepared,
 * on the PostgreSQL that `npm test` started. Tests never share state across files. With
 * `{ template: null }` the database is empty (nothing migrated: for tests of a migrator).
 */
export async function createTestDatabase(
  opts: { template?: string | null } = {},
): Promise<{ url: string; drop(): Promise<void> }> {
  const template = opts.template === undefined ? 'medstock_template' : opts.template;
  const adminUrl = process.env.MEDSTOCK_TEST_ADMIN_URL;
  if (!adminUrl) throw new Error('MEDSTOCK_TEST_ADMIN_URL is not set: run the tests with `npm test`.');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  // CREATE DATABASE ... TEMPLATE fails if another session is connected to the template.
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`create database ${name}${template ? ` template ${template}` : ''}`);
      break;
    } catch (err) {
      if (attempt > 50) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
