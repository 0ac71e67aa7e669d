import { timingSafeEqual } from 'node:crypto';
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';

/**
 * Prometheus metrics shared by the API and the worker: one registry per process (tests run
 * several apps in one process, so nothing is registered globally), Node's own process metrics,
 * and the database pools.
 */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** What the metrics read of a pg.Pool. */
interface PoolCounts {
  totalCount: number;
  idleCount: number;
  waitingCount: number;
  options: { max?: number };
}

/** A database cell's pool, by the cell's name (`main` until tenants are placed on several cells). */
export interface PoolCell {
  cell: string;
  pool: PoolCounts;
}

/**
 * Connections of every cell's pool, read at scrape time: `cells` is asked each time, so cells
 * added while the process runs are reported too. Saturation = waiting > 0 with total = max.
 */
export function registerPoolMetrics(registry: Registry, cells: () => Iterable<PoolCell>): void {
  const gauge = (name: string, help: string, read: (pool: PoolCounts) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['cell'],
      registers: [registry],
      collect() {
        this.reset();
        for (const { cell, pool } of cells()) this.set({ cell }, read(pool));
      },
    });
  gauge('medstock_db_pool_connections', 'Connections open in the pool', (p) => p.totalCount);
  gauge('medstock_db_pool_idle_connections', 'Open connections not checked out', (p) => p.idleCount);
  gauge('medstock_db_pool_waiting_clients', 'Callers waiting for a connection', (p) => p.waitingCount);
  gauge('medstock_db_pool_max_connections', 'The pool size limit (PG_POOL_MAX)', (p) => p.options.max ?? 10);
}

/**
 * Whether a scrape may read the metrics: with METRICS_TOKEN set, only `Authorization: Bearer
 * <token>` (compared in constant time).
 */
export function metricsScrapeAllowed(token: string, authorization: string | undefined): boolean {
  if (!token) return true;
  const given = Buffer.from(authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
