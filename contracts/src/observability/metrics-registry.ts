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

/**
 * Connections of every database cell's pool (one pool per cell, never per tenant), read at scrape
 * time from `pools` (CellRegistry.pools(): the cells this process opened so far, by name), so a
 * cell opened while the process runs is reported too. Saturation: waiting > 0 while
 * connections = max.
 */
export function registerPoolMetrics(registry: Registry, pools: () => Promise<Map<string, PoolCounts>>): void {
  const gauge = (name: string, help: string, read: (pool: PoolCounts) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['cell'],
      registers: [registry],
      async collect() {
        const byCell = await pools();
        this.reset();
        for (const [cell, pool] of byCell) this.set({ cell }, read(pool));
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
