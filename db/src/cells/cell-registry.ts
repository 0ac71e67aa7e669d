import type pg from 'pg';
import { createDatabase, type Database, type Db } from '../pool.ts';

/** The control database's own cell: a single-database install has only this one. */
export const MAIN_CELL = 'main';

export interface Cell {
  name: string;
  database: Database;
}

export interface CellRegistryOptions {
  /** Where cell URLs are read (the variable named by control.cells.url_env). */
  env?: Record<string, string | undefined>;
  /** The cell new organisations are provisioned on (config DEFAULT_CELL). */
  defaultCell?: string;
  /** Connections per cell pool (config PG_POOL_MAX). */
  poolMax?: number;
}

/** The environment variable a cell's URL is read from when `tenant cells add` is not told one. */
export function defaultUrlEnv(cell: string): string {
  return `CELL_${cell.toUpperCase()}_URL`;
}

/**
 * The database cells of one process: one pool per cell (never per tenant), opened on first use,
 * and where each organisation lives. The placement cache needs no expiry for correctness: a
 * move renames the old copy away under the organisation's move lock before it switches, so a
 * transaction routed by a stale entry finds no schema, and withTenantDb asks again (invalidate).
 */
export class CellRegistry {
  readonly control: Database;
  readonly defaultCell: string;
  private readonly env: Record<string, string | undefined>;
  private readonly poolMax: number | undefined;
  private readonly cells = new Map<string, Promise<Cell>>();
  private readonly placement = new Map<string, string>();

  constructor(control: Database, opts: CellRegistryOptions = {}) {
    this.control = control;
    this.env = opts.env ?? process.env;
    this.defaultCell = opts.defaultCell ?? MAIN_CELL;
    this.poolMax = opts.poolMax;
    this.cells.set(MAIN_CELL, Promise.resolve({ name: MAIN_CELL, database: control }));
  }

  /** The cell by name, its pool opened on first use; an unknown cell or a missing URL throws. */
  cell(name: string): Promise<Cell> {
    let cell = this.cells.get(name);
    if (!cell) {
      cell = this.open(name);
      // A failed open (cell not registered yet, URL not set) is not remembered.
      cell.catch(() => this.cells.delete(name));
      this.cells.set(name, cell);
    }
    return cell;
  }

  private async open(name: string): Promise<Cell> {
    const { rows } = await this.control.pool.query<{ url_env: string | null }>(
      'select url_env from control.cells where name = $1',
      [name],
    );
    if (!rows[0]) throw new Error(`unknown database cell '${name}' (pnpm tenant cells add ${name})`);
    const variable = rows[0].url_env ?? defaultUrlEnv(name);
    const url = this.env[variable];
    if (!url) throw new Error(`database cell '${name}': ${variable} is not set`);
    return { name, database: createDatabase(url, this.poolMax) };
  }

  /** The cell holding the organisation's schema, and whether the answer came from the cache. */
  async placementOf(organizationId: string): Promise<{ cell: string; cached: boolean }> {
    const known = this.placement.get(organizationId);
    if (known) return { cell: known, cached: true };
    const cell = await cellOf(this.control.pool, organizationId);
    this.placement.set(organizationId, cell);
    return { cell, cached: false };
  }

  invalidate(organizationId: string): void {
    this.placement.delete(organizationId);
  }

  /** The pools opened so far, by cell (metrics read totalCount, idleCount and waitingCount). */
  async pools(): Promise<Map<string, pg.Pool>> {
    const out = new Map<string, pg.Pool>();
    for (const [name, cell] of this.cells) {
      const opened = await cell.catch(() => undefined);
      if (opened) out.set(name, opened.database.pool);
    }
    return out;
  }

  /** Ends every pool this registry opened; the control database is its owner's to close. */
  async close(): Promise<void> {
    const opened = [...this.cells.entries()].filter(([name]) => name !== MAIN_CELL);
    this.cells.clear();
    await Promise.allSettled(opened.map(async ([, c]) => (await c).database.close()));
  }
}

/**
 * Where an organisation's schema lives, straight from the control plane (no cache). An id with no
 * organisation row (a schema made by hand, a test) is on the main cell, as before cells existed.
 */
export async function cellOf(control: pg.Pool | pg.PoolClient, organizationId: string): Promise<string> {
  const { rows } = await control
    .query<{ cell: string }>('select cell from control.organizations where id = $1', [organizationId])
    .catch((err: { code?: string }) => {
      // A database without the control plane (a bare tenant schema in a test) has one cell.
      if (err.code === '42P01' || err.code === '3F000') return { rows: [] as { cell: string }[] };
      throw err;
    });
  return rows[0]?.cell ?? MAIN_CELL;
}

const registries = new WeakMap<Db, CellRegistry>();

/** Makes withTenantDb(db, …) route through this registry (api/src/create-deps.ts, the worker). */
export function attachCells(control: Database, opts: CellRegistryOptions = {}): CellRegistry {
  const registry = new CellRegistry(control, opts);
  registries.set(control.db, registry);
  return registry;
}

/**
 * The registry of a control Db. A Db nobody attached one to (scripts, tests) gets a default one
 * over its own pool, cell URLs from the environment: routing never depends on having been set up.
 */
export function cellsOf(db: Db): CellRegistry {
  let registry = registries.get(db);
  if (!registry) {
    const pool = (db as Db & { $client: pg.Pool }).$client;
    registry = new CellRegistry({ pool, db, close: () => pool.end() });
    registries.set(db, registry);
  }
  return registry;
}

/** The pool of one cell (tenant lifecycle commands, metrics). */
export async function poolForCell(control: Db, cell: string): Promise<pg.Pool> {
  return (await cellsOf(control).cell(cell)).database.pool;
}
