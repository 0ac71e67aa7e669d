import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { migrateAll } from '@medstock/db';
import pg from 'pg';
import { type RunningService, startPostgres, startRedis } from '../local/services.ts';

/**
 * A PostgreSQL or Redis of a test's own, which the test may stop and start again on the same port
 * and data folder — for fault tests (database blips, Redis restarts). The shared servers that
 * `npm test` starts are never restarted: other test files run against them at the same time.
 */
export interface RestartableService {
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  restart(): Promise<void>;
}

function runDir(): string {
  const dir = process.env.MEDSTOCK_TEST_RUN_DIR;
  if (!dir) throw new Error('MEDSTOCK_TEST_RUN_DIR is not set: run the tests with `npm test`.');
  return dir;
}

function restartable(
  launch: (port?: number) => Promise<RunningService>,
  first: RunningService,
  url: string,
): RestartableService {
  let current: RunningService | null = first;
  const port = first.port;
  return {
    url,
    port,
    async stop() {
      await current?.stop();
      current = null;
    },
    async start() {
      if (!current) current = await launch(port);
    },
    async restart() {
      await this.stop();
      await this.start();
    },
  };
}

/** A migrated PostgreSQL (control plane) of the test's own. */
export async function startOwnPostgres(tag = 'pg'): Promise<RestartableService> {
  const dataDir = resolve(runDir(), `${tag}-${randomBytes(4).toString('hex')}`);
  const database = 'medstock';
  const launch = (port?: number) => startPostgres({ dataDir, port, database, fast: true });
  const first = await launch();
  const pool = new pg.Pool({ connectionString: first.url, max: 1 });
  await migrateAll(pool);
  await pool.end();
  return restartable(launch, first, first.url);
}

/** A Redis of the test's own (nothing kept on disk: a restart empties it, as a crash would). */
export async function startOwnRedis(tag = 'redis'): Promise<RestartableService> {
  const dataDir = resolve(runDir(), `${tag}-${randomBytes(4).toString('hex')}`);
  const launch = (port?: number) => startRedis({ dataDir, port });
  const first = await launch();
  return restartable(launch, first, first.url);
}
