import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { attachCells, type CellRegistry, cellOf, createDatabase, MAIN_CELL } from '@medstock/db';
import { finishMoves, moveTenant } from '@medstock/db/cells/move-tenant.ts';
import type pg from 'pg';
import type { ScaleTenant } from './movement-events.ts';

/** Where the run's organisations live: one pool per database cell, and how to place one. */
export interface Cells {
  /** Puts the i-th organisation on its cell (every other one moved to the second); returns its pool. */
  place(organizationId: string, i: number): Promise<{ pool: pg.Pool; cell: string }>;
  /** After set-up: old copies of moved organisations dropped (their grace period is the run's). */
  settle(): Promise<void>;
  describe(tenants: readonly ScaleTenant[]): string;
  /** Said under the table when the run could not use two cells. */
  note: string | null;
  /** The moves made by place(): how long each paused its organisation's writes, and the rows copied. */
  moves: Array<{ pausedMs: number; rows: number }>;
  close(): Promise<void>;
}

const root = resolve(import.meta.dirname, '../../..');
const SECOND = 'b';

/** Whether this checkout's control plane knows database cells (control.cells). */
export async function cellsSupported(control: pg.Pool): Promise<boolean> {
  const { rows } = await control.query(`select to_regclass('control.cells') is not null as ok`);
  return rows[0]?.ok === true;
}

const counts = (tenants: readonly ScaleTenant[]) => {
  const by = new Map<string, number>();
  for (const t of tenants) by.set(t.cell, (by.get(t.cell) ?? 0) + 1);
  return [...by].map(([cell, n]) => `${n} on ${cell}`).join(', ');
};

/** Every organisation on the one PostgreSQL instance the control plane lives on. */
export function oneCell(control: pg.Pool, note: string): Cells {
  return {
    place: async () => ({ pool: control, cell: 'main' }),
    settle: async () => {},
    describe: (tenants) => `1 — second cell not available (${counts(tenants)})`,
    note,
    moves: [],
    close: async () => {},
  };
}

/** The variable the processes read the second cell's URL from (`pnpm tenant cells add b`'s default). */
export const SECOND_CELL_ENV = `CELL_${SECOND.toUpperCase()}_URL`;

/**
 * Two cells: the control database ('main') and a second PostgreSQL registered with
 * `pnpm tenant cells add b` (its URL in CELL_B_URL, as the API and the workers have it). Every
 * other organisation is moved there after set-up with the move of `pnpm tenant move`, while the
 * workers run (writes pause for the moving organisation only).
 */
export async function twoCells(controlUrl: string, secondUrl: string): Promise<Cells> {
  const env = { ...process.env, DATABASE_URL: controlUrl, [SECOND_CELL_ENV]: secondUrl };
  const added = spawnSync(
    process.execPath,
    ['--import', 'tsx', 'db/src/cli/tenant.cli.ts', 'cells', 'add', SECOND],
    {
      cwd: root,
      env,
      encoding: 'utf8',
    },
  );
  if (added.status !== 0)
    throw new Error(`pnpm tenant cells add ${SECOND} failed: ${added.stderr || added.stdout}`);
  const control = createDatabase(controlUrl, 4);
  const registry: CellRegistry = attachCells(control, { env });
  const pools = new Map<string, pg.Pool>([[MAIN_CELL, control.pool]]);
  pools.set(SECOND, (await registry.cell(SECOND)).database.pool);
  const moves: Cells['moves'] = [];
  return {
    async place(organizationId, i) {
      if (i % 2 === 1) {
        const report = await moveTenant(registry, organizationId, SECOND, { graceHours: 0 });
        const rows = Object.values(report.tables).reduce((n, t) => n + t.rows, 0);
        moves.push({ pausedMs: report.pausedMs, rows });
      }
      const cell = await cellOf(control.pool, organizationId);
      return { pool: pools.get(cell)!, cell };
    },
    async settle() {
      await finishMoves(registry, new Date(8.64e15));
    },
    describe: (tenants) => `2 (${counts(tenants)})`,
    note: null,
    moves,
    async close() {
      await registry.close();
      await control.close();
    },
  };
}
