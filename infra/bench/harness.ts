import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { type AppConfig, loadConfig } from '@medstock/config';
import { migrateAll } from '@medstock/db';
import pg from 'pg';
import { type RunningService, startPostgres, startRedis } from '../local/services.ts';

/** Throw-away PostgreSQL + Redis for a benchmark run, and a migrated database on them. */
export async function benchServices(name: string) {
  const dir = resolve(import.meta.dirname, '../../.local/bench', `${name}-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const started: RunningService[] = [];
  const postgres = await startPostgres({
    dataDir: resolve(dir, 'pg'),
    database: 'bench',
    fast: true,
    ephemeral: true,
  });
  started.push(postgres);
  const redis = await startRedis({ dataDir: resolve(dir, 'redis') });
  started.push(redis);
  const pool = new pg.Pool({ connectionString: postgres.url, max: 2 });
  await migrateAll(pool);
  await pool.end();
  const { privateKey } = generateKeyPairSync('ed25519');
  const config: AppConfig = loadConfig({
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    LOG_LEVEL: 'silent',
    RATE_LIMIT_PER_MINUTE: '100000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '100000000',
    QUEUE_PREFIX: `bench${randomBytes(3).toString('hex')}`,
    PG_POOL_MAX: '40',
  });
  return {
    config,
    postgresUrl: postgres.url,
    stop: async () => {
      await Promise.allSettled(started.map((s) => s.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface LoadResult {
  requests: number;
  errors: number;
  seconds: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `fn` from `concurrency` loops for `durationMs` (after a warm-up) and reports latency in ms. */
export async function loadTest(
  concurrency: number,
  durationMs: number,
  fn: (worker: number) => Promise<boolean>,
  warmupMs = 500,
): Promise<LoadResult> {
  const warmEnd = Date.now() + warmupMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (Date.now() < warmEnd) await fn(w);
    }),
  );
  const lat: number[] = [];
  let errors = 0;
  const start = performance.now();
  const end = Date.now() + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      while (Date.now() < end) {
        const t0 = performance.now();
        const ok = await fn(w);
        lat.push(performance.now() - t0);
        if (!ok) errors++;
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  lat.sort((a, b) => a - b);
  const r = (x: number) => Math.round(x * 100) / 100;
  return {
    requests: lat.length,
    errors,
    seconds: r(seconds),
    rps: Math.round(lat.length / seconds),
    p50: r(percentile(lat, 50)),
    p95: r(percentile(lat, 95)),
    p99: r(percentile(lat, 99)),
  };
}

export function table(rows: Array<Record<string, string | number>>): string {
  const cols = Object.keys(rows[0] ?? {});
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => String(r[c]).length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [
    line(cols),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map((r) => line(cols.map((c) => String(r[c])))),
  ].join('\n');
}

/** The real API on its own services, listening on a free port, with one signed-up organisation. */
export async function benchApp(name: string) {
  const { buildApp } = await import('@medstock/api/app.ts');
  const { createDeps } = await import('@medstock/api/create-deps.ts');
  const svc = await benchServices(name);
  const deps = await createDeps(svc.config);
  const app = await buildApp(deps, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  const { createOrganizationWithOwner } = await import('@medstock/api/routes/auth/signup.service.ts');
  const created = await createOrganizationWithOwner(deps, {
    organizationName: `Bench ${name}`,
    email: `${name}@example.org`,
    password: 'bench-lantern-orchard-1',
  });
  const signup = { organizationId: created.organizationId, accessToken: created.tokens.accessToken };
  return {
    svc,
    deps,
    app,
    base,
    organizationId: signup.organizationId,
    headers: { authorization: `Bearer ${signup.accessToken}`, 'content-type': 'application/json' },
    close: async () => {
      await app.close();
      await deps.close();
      await svc.stop();
    },
  };
}
