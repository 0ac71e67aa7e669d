import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { migrateAll } from '@medstock/db';
import pg from 'pg';
import { seedDemo } from './seed-demo.ts';
import { freePort, type RunningService, startPostgres, startRedis } from './services.ts';
import { type Supervised, supervise } from './supervise.ts';

/**
 * `npm start`: brings medstock up on this machine. Where DATABASE_URL / REDIS_URL are not set it
 * runs a project-local PostgreSQL and Redis (data under .local/), migrates, seeds a demo
 * organisation, starts the API (which also serves the web app) and the worker, and prints the
 * URL and the demo login. Ctrl-C stops everything it started.
 */
const root = resolve(import.meta.dirname, '../..');
const local = resolve(root, '.local');
mkdirSync(local, { recursive: true });

const services: RunningService[] = [];
const children: Supervised[] = [];
let stopping = false;

async function stopAll(code: number) {
  if (stopping) return;
  stopping = true;
  console.log('\nmedstock: stopping…');
  await Promise.all(children.map((c) => c.stop(10_000)));
  await Promise.allSettled(services.map((s) => s.stop()));
  process.exit(code);
}
process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));

async function portFree(port: number): Promise<boolean> {
  return new Promise((res) => {
    const srv = createServer().once('error', () => res(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => res(true)));
  });
}

function jwtKey(): string {
  if (process.env.JWT_PRIVATE_KEY) return process.env.JWT_PRIVATE_KEY;
  const file = resolve(local, 'jwt-ed25519.pem');
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return readFileSync(file, 'utf8');
}

/** Newest modification time under `path` (a file or a directory tree). */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...readdirSync(path).map((f) => newest(resolve(path, f))));
}

/** Builds the web app (served by the API at /) when web/dist is missing or older than its sources. */
function ensureWebBuild() {
  const web = resolve(root, 'web');
  const built = newest(resolve(web, 'dist/index.html'));
  const sources = Math.max(
    ...['src', 'index.html', 'vite.config.ts', 'package.json'].map((f) => newest(resolve(web, f))),
    newest(resolve(root, 'openapi/schema.d.ts')),
  );
  if (built >= sources) return;
  console.log('medstock: building the web app (web/dist)');
  const r = spawnSync(
    process.execPath,
    [resolve(web, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'],
    { cwd: web, stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error('the web app failed to build (see above)');
}

try {
  if (!process.env.WEB_DIST_DIR) ensureWebBuild();
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    console.log('medstock: starting project-local PostgreSQL (.local/postgres)');
    const pgService = await startPostgres({ dataDir: resolve(local, 'postgres'), database: 'medstock' });
    services.push(pgService);
    databaseUrl = pgService.url;
  }
  let redisUrl = process.env.REDIS_URL;
  if (!redisUrl) {
    console.log('medstock: starting project-local Redis');
    const redis = await startRedis({ dataDir: resolve(local, 'redis') });
    services.push(redis);
    redisUrl = redis.url;
  }

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const report = await migrateAll(pool);
  await pool.end();
  console.log(
    `medstock: migrated (control: ${report.control.length} new; tenants: ${report.tenants.length - report.failed} ok, ${report.failed} failed)`,
  );

  const wanted = Number(process.env.PORT ?? 3000);
  const port = (await portFree(wanted)) ? wanted : await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    JWT_PRIVATE_KEY: jwtKey(),
    PORT: String(port),
    PUBLIC_URL: process.env.PUBLIC_URL ?? url,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
    WEB_DIST_DIR: process.env.WEB_DIST_DIR ?? resolve(root, 'web/dist'),
    MAIL_DIR: process.env.MAIL_DIR || resolve(local, 'mail'),
  };
  // Without SMTP_URL, mail (sign-up confirmations, password resets, invitations) is kept as files.
  const mailGoesTo = process.env.SMTP_URL
    ? 'SMTP (SMTP_URL)'
    : `${env.MAIL_DIR}/*.eml (set SMTP_URL to send)`;

  const demo = await seedDemo(env);

  // API and worker are supervised: one that crashes is started again instead of stopping the lot.
  const start = (name: string, entry: string) => {
    children.push(
      supervise(name, () =>
        spawn(process.execPath, ['--import', 'tsx', entry], {
          cwd: root,
          env,
          stdio: ['ignore', 'inherit', 'inherit'],
        }),
      ),
    );
  };
  start('api', 'api/src/server.ts');
  start('worker', 'worker/src/main.ts');

  // Wait for the API to answer before printing the URL: never print a URL that does not answer.
  // A first start on a slow machine (TypeScript compiled on the fly) can take a minute or more.
  const readyBy = Date.now() + 300_000;
  let ready = false;
  while (!ready && Date.now() < readyBy) {
    try {
      ready = (await fetch(`${url}/readyz`)).ok;
    } catch {}
    if (!ready) await new Promise((r) => setTimeout(r, 250));
  }
  if (!ready) throw new Error(`the API did not answer at ${url}/readyz within 5 minutes`);
  console.log(`
  medstock is running
    open      ${url}/
    API docs  ${url}/docs
    login     ${demo.email} / ${demo.password}
    mail      ${mailGoesTo}
  Ctrl-C stops everything.
`);
} catch (err) {
  console.error(`medstock: ${(err as Error).message}`);
  await stopAll(1);
}
