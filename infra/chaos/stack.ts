import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { migrateAll } from '@medstock/db';
import pg from 'pg';
import { freePort, type RunningService, startPostgres, startRedis } from '../local/services.ts';
import { ManagedProcess, type UnexpectedExit } from './managed-process.ts';
import { sleep } from './timing.ts';

/** A dependency the chaos tool can stop and start again on the same port and data folder. */
export interface Restartable {
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** What a scenario needs from the system under test. `control` is null for a stack we did not start. */
export interface Stack {
  apiUrl: string;
  databaseUrl: string;
  /** Where the API writes the e-mails it sends (sign-up confirmations are read from there). */
  mailDir: string;
  control: {
    postgres: Restartable;
    redis: Restartable;
    api: ManagedProcess;
    worker: ManagedProcess;
    logDir: string;
  } | null;
  /** Crashes of the API or worker since the last call (and restarts them, so the next scenario has a stack). */
  takeUnexpectedExits(): Promise<UnexpectedExit[]>;
  teardown(): Promise<void>;
}

const root = resolve(import.meta.dirname, '../..');

function restartable(launch: (port?: number) => Promise<RunningService>, first: RunningService): Restartable {
  let current: RunningService | null = first;
  return {
    async stop() {
      await current?.stop();
      current = null;
    },
    async start() {
      if (!current) current = await launch(first.port);
    },
  };
}

async function waitHttpOk(url: string, proc: ManagedProcess, output: () => string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.running) throw new Error(`${proc.name} exited during start-up:\n${output().slice(-2000)}`);
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(2000) })).ok) return;
    } catch {}
    await sleep(150);
  }
  throw new Error(
    `${proc.name} did not become ready within ${timeoutMs / 1000} s:\n${output().slice(-2000)}`,
  );
}

/**
 * The worker has no port of its own to probe: it is ready once it has printed its start-up line
 * (after connecting to PostgreSQL and Redis and syncing schedules).
 */
async function waitWorkerStarted(proc: ManagedProcess, output: () => string, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!proc.running) throw new Error(`worker exited during start-up:\n${output().slice(-2000)}`);
    if (/medstock worker(: jobs| started)/i.test(output())) return;
    await sleep(100);
  }
  throw new Error(`worker printed no start-up line within ${timeoutMs / 1000} s:\n${output().slice(-2000)}`);
}

/**
 * The API's and the worker's environment, configured the way `npm test` configures them plus short
 * job locks (a killed worker's job is retried within ~2 s) and webhooks to loopback allowed (the
 * receivers are local). Every process of one stack gets the same signing key and queue prefix.
 */
export function stackEnv(o: {
  databaseUrl: string;
  redisUrl: string;
  port: number;
  dataDir: string;
}): NodeJS.ProcessEnv {
  const apiUrl = `http://127.0.0.1:${o.port}`;
  const { privateKey } = generateKeyPairSync('ed25519');
  return {
    ...process.env,
    DATABASE_URL: o.databaseUrl,
    REDIS_URL: o.redisUrl,
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    QUEUE_PREFIX: `chaos-${randomBytes(4).toString('hex')}`,
    HOST: '127.0.0.1',
    PORT: String(o.port),
    PUBLIC_URL: apiUrl,
    LOG_LEVEL: 'warn',
    // The workload is one client address posting fast: the per-minute limits would measure themselves.
    RATE_LIMIT_PER_MINUTE: '10000000',
    AUTH_RATE_LIMIT_PER_MINUTE: '10000',
    WORKER_LOCK_DURATION_MS: '2000',
    WORKER_STALLED_INTERVAL_MS: '1000',
    // A request that died holding its key is taken over by a retry after this long (default 60 s).
    IDEMPOTENCY_IN_PROGRESS_TTL_SECONDS: '10',
    // Small batches: a full recalculation of a chaos tenant commits several times, as a big one would.
    ENGINE_BATCH_SIZE: '4',
    WEBHOOK_ALLOW_PRIVATE_URLS: 'true',
    UPLOAD_DIR: join(o.dataDir, 'uploads'),
    SMTP_URL: '',
    MAIL_DIR: join(o.dataDir, 'mail'),
    WEB_DIST_DIR: '',
  };
}

/** The API as a child process, ready once its PUBLIC_URL answers /readyz. */
export function apiProcess(name: string, env: NodeJS.ProcessEnv, logFile: string): ManagedProcess {
  return new ManagedProcess(name, 'api/src/server.ts', env, root, logFile, (p, out) =>
    waitHttpOk(`${env.PUBLIC_URL}/readyz`, p, out),
  );
}

/** The worker as a child process, ready once it has printed its start-up line. */
export function workerProcess(name: string, env: NodeJS.ProcessEnv, logFile: string): ManagedProcess {
  // The worker's start-up line is logged at info.
  return new ManagedProcess(
    name,
    'worker/src/main.ts',
    { ...env, LOG_LEVEL: 'info' },
    root,
    logFile,
    (p, out) => waitWorkerStarted(p, out),
  );
}

/**
 * Starts a stack of its own: project-local PostgreSQL and Redis on free ports with data in a
 * temporary folder, migrates, then the API and the worker as child processes (stackEnv).
 */
export async function startOwnStack(log: (line: string) => void): Promise<Stack> {
  const dataDir = mkdtempSync(join(tmpdir(), 'medstock-chaos-'));
  // Traversable, so PostgreSQL (run as the postgres user when we are root) keeps its data here
  // rather than in a relocated folder that removing this one would leave behind.
  chmodSync(dataDir, 0o755);
  const logDir = resolve(root, '.local/chaos/logs');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const stoppers: Array<() => Promise<void>> = [];
  let api: ManagedProcess | null = null;
  let worker: ManagedProcess | null = null;

  const teardown = async () => {
    await Promise.allSettled([api?.close(), worker?.close()]);
    for (const stop of stoppers.reverse()) await stop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    log(`starting PostgreSQL and Redis (data in ${dataDir})`);
    const pgDir = join(dataDir, 'pg');
    const launchPg = (port?: number) =>
      startPostgres({ dataDir: pgDir, port, database: 'medstock', fast: true });
    const redisDir = join(dataDir, 'redis');
    const launchRedis = (port?: number) => startRedis({ dataDir: redisDir, port });
    const [pgFirst, redisFirst] = await Promise.all([launchPg(), launchRedis()]);
    const postgres = restartable(launchPg, pgFirst);
    const redis = restartable(launchRedis, redisFirst);
    stoppers.push(
      () => postgres.stop(),
      () => redis.stop(),
    );

    const pool = new pg.Pool({ connectionString: pgFirst.url, max: 2 });
    await migrateAll(pool);
    await pool.end();

    const port = await freePort();
    const env = stackEnv({ databaseUrl: pgFirst.url, redisUrl: redisFirst.url, port, dataDir });
    const apiUrl = env.PUBLIC_URL!;
    api = apiProcess('api', env, join(logDir, 'api.log'));
    worker = workerProcess('worker', env, join(logDir, 'worker.log'));
    log('starting the API and the worker');
    await Promise.all([api.start(), worker.start()]);
    const control = { postgres, redis, api, worker, logDir };

    return {
      apiUrl,
      databaseUrl: pgFirst.url,
      mailDir: join(dataDir, 'mail'),
      control,
      async takeUnexpectedExits() {
        const exits = [...control.api.unexpectedExits, ...control.worker.unexpectedExits];
        control.api.unexpectedExits.length = 0;
        control.worker.unexpectedExits.length = 0;
        // Whatever a scenario left stopped is started again for the next one.
        await control.postgres.start();
        await control.redis.start();
        await Promise.all([control.api.start(), control.worker.start()]);
        return exits;
      },
      teardown,
    };
  } catch (err) {
    await teardown();
    throw err;
  }
}

/** An already running stack (`--api`, `--database-url`): only scenarios that need no process control run. */
export function externalStack(apiUrl: string, databaseUrl: string, mailDir: string): Stack {
  return {
    apiUrl: apiUrl.replace(/\/$/, ''),
    databaseUrl,
    mailDir,
    control: null,
    takeUnexpectedExits: async () => [],
    teardown: async () => {},
  };
}

/** Kills the children synchronously: for `process.on('exit')` after an unhandled failure. */
export function killStackNow(stack: Stack | null): void {
  stack?.control?.api.killNow();
  stack?.control?.worker.killNow();
}
