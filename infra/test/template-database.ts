import { migrateAll } from '@medstock/db';
import pg from 'pg';

export const TEMPLATE_DATABASE = 'medstock_template';

/** A database with the control plane migrated; each test file clones it (CREATE DATABASE ... TEMPLATE). */
export async function prepareTemplateDatabase(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${TEMPLATE_DATABASE}`);
  await admin.query(`create database ${TEMPLATE_DATABASE}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${TEMPLATE_DATABASE}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
  await migrateAll(pool);
  await pool.end();
}
