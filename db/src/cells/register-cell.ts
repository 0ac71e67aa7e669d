import pg from 'pg';
import { type CellRegistry, defaultUrlEnv, MAIN_CELL } from './cell-registry.ts';
import { installControlBridge } from './control-bridge.ts';

export interface CellSummary {
  name: string;
  urlEnv: string;
  urlSet: boolean;
  acceptsTenants: boolean;
  organizations: number;
}

/** The registered cells with how many organisations each holds (`pnpm tenant cells`). */
export async function listCells(control: pg.Pool, env = process.env): Promise<CellSummary[]> {
  const { rows } = await control.query<{
    name: string;
    url_env: string | null;
    accepts_tenants: boolean;
    n: number;
  }>(
    `select c.name, c.url_env, c.accepts_tenants, count(o.id)::int as n
       from control.cells c left join control.organizations o on o.cell = c.name
      group by c.name order by c.name`,
  );
  return rows.map((r) => {
    const urlEnv = r.url_env ?? defaultUrlEnv(r.name);
    return {
      name: r.name,
      urlEnv,
      urlSet: r.name === MAIN_CELL || !!env[urlEnv],
      acceptsTenants: r.accepts_tenants,
      organizations: r.n,
    };
  });
}

/**
 * Registers a cell (`pnpm tenant cells add <name>`): its URL is read from `urlEnv` (never stored),
 * the cell must answer, and it gets the control bridge (control-bridge.ts) so tenant SQL that
 * reads control-plane tables runs there unchanged. `controlUrlForCell` is the control database as
 * the cell's server reaches it (default: the control pool's own URL).
 */
export async function registerCell(
  cells: CellRegistry,
  name: string,
  opts: { urlEnv?: string; controlUrlForCell?: string; env?: Record<string, string | undefined> } = {},
): Promise<void> {
  if (name === MAIN_CELL) throw new Error(`'${MAIN_CELL}' is the control database's own cell`);
  const urlEnv = opts.urlEnv ?? defaultUrlEnv(name);
  const url = (opts.env ?? process.env)[urlEnv];
  if (!url) throw new Error(`set ${urlEnv} to the cell's PostgreSQL URL first`);
  const controlUrl =
    opts.controlUrlForCell ?? (cells.control.pool.options as { connectionString?: string }).connectionString;
  if (!controlUrl) throw new Error('the control database URL for the cell is unknown (--control-url)');
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await installControlBridge(client, controlUrl);
  } finally {
    await client.end();
  }
  await cells.control.pool.query(
    `insert into control.cells (name, url_env) values ($1, $2)
     on conflict (name) do update set url_env = excluded.url_env`,
    [name, urlEnv],
  );
}
