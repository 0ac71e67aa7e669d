import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { metricsScrapeAllowed } from '@medstock/contracts';
import { cellsOf, type Database } from '@medstock/db';
import type { Registry } from 'prom-client';

/** A dependency check of /readyz: resolves when fine, rejects (or times out) when not. */
export type ReadinessCheck = () => Promise<unknown>;

/** Every database cell this process has opened answers (the control database is the main cell). */
export function cellsReachable(database: Database): ReadinessCheck {
  return async () => {
    const pools = await cellsOf(database.db).pools();
    await Promise.all(
      [...pools].map(([cell, pool]) =>
        pool.query('select 1').catch((err: Error) => {
          throw new Error(`cell ${cell}: ${err.message}`);
        }),
      ),
    );
  };
}

const PROBE_MS = 2_000;

export interface WorkerHttp {
  port: number;
  close(): Promise<void>;
}

/**
 * The worker's own small HTTP server (WORKER_HTTP_PORT): `/healthz` (the process answers),
 * `/readyz` (each check passes within 2 s: PostgreSQL, Redis, the queue workers running; 503 with
 * what failed otherwise) and `/metrics` (Prometheus; Bearer METRICS_TOKEN when one is set).
 */
export async function startWorkerHttp(opts: {
  host: string;
  port: number;
  registry: Registry;
  metricsToken: string;
  checks: Record<string, ReadinessCheck>;
}): Promise<WorkerHttp> {
  const send = (res: ServerResponse, status: number, type: string, body: string) => {
    res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
    res.end(body);
  };
  const json = (res: ServerResponse, status: number, body: unknown) =>
    send(res, status, 'application/json', JSON.stringify(body));

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://worker').pathname;
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return json(res, 405, { status: 'method not allowed' });
    if (path === '/healthz') return json(res, 200, { status: 'ok' });
    if (path === '/readyz') {
      const names = Object.keys(opts.checks);
      const results = await Promise.all(names.map((n) => probe(opts.checks[n]!)));
      const checks = Object.fromEntries(names.map((n, i) => [n, results[i]]));
      const ok = results.every((r) => r === 'ok');
      return json(res, ok ? 200 : 503, { status: ok ? 'ok' : 'unavailable', checks });
    }
    if (path === '/metrics') {
      if (!metricsScrapeAllowed(opts.metricsToken, req.headers.authorization))
        return json(res, 401, { status: 'metrics token required' });
      return send(res, 200, opts.registry.contentType, await opts.registry.metrics());
    }
    return json(res, 404, { status: 'not found' });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => json(res, 500, { status: 'error', error: (err as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function probe(check: ReadinessCheck): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), PROBE_MS);
      }),
    ]);
    return 'ok';
  } catch (err) {
    return `error: ${(err as Error).message}`;
  } finally {
    clearTimeout(timer);
  }
}
