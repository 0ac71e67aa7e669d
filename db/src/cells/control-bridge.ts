import type pg from 'pg';

/**
 * Tenant SQL joins control-plane tables (user names, API keys, the audit log, idempotency keys)
 * in the same statement. On a cell other than the control database, `control` is a schema of
 * postgres_fdw foreign tables onto the control database, so those statements run unchanged.
 * Writes through it (audit entries, idempotency marks) commit with the local transaction, not by
 * two-phase commit: a crash between the two commits can lose such a mark, never tenant data.
 *
 * `controlUrl` is the control database as the cell's server reaches it; its credentials go to a
 * user mapping in that cell's catalogue, never into the control database.
 */
export async function installControlBridge(cell: pg.ClientBase, controlUrl: string): Promise<void> {
  const url = new URL(controlUrl);
  const server = {
    host: url.hostname,
    port: url.port || '5432',
    dbname: decodeURIComponent(url.pathname.replace(/^\//, '')),
  };
  const mapping = { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  const options = (o: Record<string, string>) =>
    Object.entries(o)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k} ${literal(v)}`)
      .join(', ');
  await cell.query('begin');
  try {
    await cell.query('create extension if not exists postgres_fdw');
    await cell.query('drop server if exists medstock_control cascade');
    await cell.query(
      `create server medstock_control foreign data wrapper postgres_fdw options (${options(server)})`,
    );
    await cell.query(
      `create user mapping for current_user server medstock_control options (${options(mapping)})`,
    );
    await refreshControlBridge(cell, false);
    await cell.query('commit');
  } catch (err) {
    await cell.query('rollback');
    throw err;
  }
}

/**
 * Imports the control plane's tables again (after a control migration changed them). Column
 * defaults come along (import_default), so an insert that leaves out id or created_at works.
 */
export async function refreshControlBridge(cell: pg.ClientBase, ownTransaction = true): Promise<void> {
  if (ownTransaction) await cell.query('begin');
  try {
    await cell.query('drop schema if exists control cascade');
    await cell.query('create schema control');
    await cell.query(
      `import foreign schema control from server medstock_control into control options (import_default 'true')`,
    );
    if (ownTransaction) await cell.query('commit');
  } catch (err) {
    if (ownTransaction) await cell.query('rollback');
    throw err;
  }
}

/** Whether the cell has the bridge (migrateAll refreshes it on every cell that has one). */
export async function hasControlBridge(cell: pg.ClientBase): Promise<boolean> {
  const { rows } = await cell.query(`select 1 from pg_foreign_server where srvname = 'medstock_control'`);
  return rows.length > 0;
}

function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
