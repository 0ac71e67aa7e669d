import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildWithProductionDependencies,
  createEmptyDatabase,
  devToolsIn,
  freePort,
  ready,
  repoRoot,
  type Started,
  start,
  until,
} from './support/production-stack.ts';

/**
 * The Debian install path on this machine: install.sh with --prefix (a temporary root) and
 * --no-systemd, against the test PostgreSQL and Redis; then each service is started exactly as
 * systemd would: the unit's ExecStart, in its WorkingDirectory, with its EnvironmentFile.
 */
const work = mkdtempSync(join(tmpdir(), 'medstock-debian-'));
const build = join(work, 'build');
const prefix = join(work, 'root');
const install = resolve(repoRoot, 'infra/deploy/debian/install.sh');
const running: Started[] = [];
let db: Awaited<ReturnType<typeof createEmptyDatabase>>;
let port: number;
let installArgs: string[];

/** A unit file's [Section] Key=Value lines (later keys of the same name are kept as a list). */
function unit(name: string): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of readFileSync(join(prefix, 'etc/systemd/system', name), 'utf8').split('\n')) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = [...(out[m[1]!] ?? []), m[2]!];
  }
  return out;
}

/** An EnvironmentFile as systemd reads it: KEY=VALUE lines, comments and blanks skipped, last wins. */
function environmentFile(path: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!.trim().replace(/^"(.*)"$/, '$1');
  }
  return env;
}

/** Starts what a service unit starts. */
function startUnit(name: string): Started {
  const u = unit(name);
  const [command, ...args] = u.ExecStart![0]!.split(/\s+/);
  const env = { PATH: process.env.PATH, ...environmentFile(u.EnvironmentFile![0]!) };
  return start(command!, args, { cwd: u.WorkingDirectory![0]!, env });
}

beforeAll(async () => {
  buildWithProductionDependencies(build);
  db = await createEmptyDatabase();
  port = await freePort();
  installArgs = [
    '--build',
    build,
    '--prefix',
    prefix,
    '--no-systemd',
    '--database-url',
    db.url,
    '--redis-url',
    process.env.REDIS_URL!,
    '--port',
    String(port),
    '--worker-port',
    String(await freePort()),
    '--smtp-url',
    'smtp://127.0.0.1:2525',
    '--set',
    `QUEUE_PREFIX=debian-${randomBytes(4).toString('hex')}`,
    '--set',
    'LOG_LEVEL=info',
  ];
  execFileSync('bash', [install, ...installArgs], { stdio: 'pipe' });
}, 240_000);

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await db?.drop();
  rmSync(work, { recursive: true, force: true });
});

describe('Debian install (install.sh --prefix --no-systemd)', { timeout: 300_000 }, () => {
  it('lays out the build, the settings with generated keys, the state folders and the units', () => {
    const app = join(prefix, 'opt/medstock');
    for (const f of [
      'app/api.js',
      'app/worker.js',
      'app/migrate.cli.js',
      'migrations',
      'web/dist/index.html',
      'backup/pg-dump-once.sh',
    ])
      expect(existsSync(join(app, f)), f).toBe(true);
    expect(existsSync(join(app, 'node_modules/fastify'))).toBe(true);
    expect(devToolsIn(app)).toEqual([]);
    for (const d of ['uploads', 'mail', 'backups'])
      expect(existsSync(join(prefix, 'var/lib/medstock', d)), d).toBe(true);

    const etc = join(prefix, 'etc/medstock');
    const env = environmentFile(join(etc, 'medstock.env'));
    expect(env).toMatchObject({
      NODE_ENV: 'production',
      DEPLOYMENT_MODE: 'on-premises',
      DATABASE_URL: db.url,
      PORT: String(port),
      JWT_PRIVATE_KEY_FILE: join(etc, 'jwt-ed25519.pem'),
      SECRETS_KEYS_FILE: join(etc, 'secrets-keys'),
      WEB_DIST_DIR: join(app, 'web/dist'),
    });
    expect(Object.keys(env).filter((k) => k.startsWith('STRIPE_'))).toEqual([]);
    expect(readFileSync(env.JWT_PRIVATE_KEY_FILE!, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(readFileSync(env.SECRETS_KEYS_FILE!, 'utf8')).toMatch(/^k1:[A-Za-z0-9+/]{43}=\n$/);
    expect(statSync(env.JWT_PRIVATE_KEY_FILE!).mode & 0o007).toBe(0); // nothing for other users

    for (const name of ['medstock-api.service', 'medstock-worker.service', 'medstock-migrate.service']) {
      const u = unit(name);
      expect(u.User, name).toEqual(['medstock']);
      expect(u.EnvironmentFile, name).toEqual([join(etc, 'medstock.env')]);
      expect(u.ExecStart![0], name).toMatch(
        new RegExp(`^${process.execPath} --enable-source-maps ${app}/app/`),
      );
    }
    expect(unit('medstock-migrate.service').Type).toEqual(['oneshot']);
    for (const name of ['medstock-api.service', 'medstock-worker.service']) {
      expect(unit(name).Requires, name).toEqual(['medstock-migrate.service']);
      expect(unit(name).Restart, name).toEqual(['on-failure']);
    }
    expect(unit('medstock-backup.service').ExecStart![0]).toBe(`/bin/sh ${app}/backup/pg-dump-once.sh`);
    expect(unit('medstock-backup.timer').OnCalendar).toEqual(['*-*-* 02:30:00']);
    expect(unit('medstock-backup.timer').Persistent).toEqual(['true']);
  });

  it("runs the units' ExecStart lines: migrations, then the API answers /readyz and the worker starts", async () => {
    const migrate = startUnit('medstock-migrate.service');
    expect(await migrate.exited, migrate.output()).toBe(0);

    const api = startUnit('medstock-api.service');
    running.push(api);
    const worker = startUnit('medstock-worker.service');
    running.push(worker);
    const base = `http://127.0.0.1:${port}`;
    await until(api, ready(base), 'API /readyz');
    // The worker's health server on the WORKER_HTTP_PORT the install wrote (what Kubernetes and compose probe).
    const workerBase = `http://127.0.0.1:${environmentFile(join(prefix, 'etc/medstock/medstock.env')).WORKER_HTTP_PORT}`;
    await until(worker, ready(workerBase), 'worker /readyz');
    await until(worker, () => worker.output().includes('medstock worker started'), 'worker start log');
    expect((await fetch(`${workerBase}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${base}/readyz`)).json()).toEqual({
      status: 'ok',
      checks: { postgres: 'ok', redis: 'ok' },
    });
    const templates = (await (await fetch(`${base}/v1/catalogue-templates`)).json()) as { items: unknown[] };
    expect(templates.items.length).toBeGreaterThan(0);

    expect(await api.stop()).toBe(0);
    expect(await worker.stop()).toBe(0);
  });

  it('upgrades in place and keeps the settings and keys', () => {
    const etc = join(prefix, 'etc/medstock');
    const before = [
      readFileSync(join(etc, 'medstock.env'), 'utf8'),
      readFileSync(join(etc, 'jwt-ed25519.pem'), 'utf8'),
    ];
    const out = execFileSync('bash', [install, ...installArgs], { encoding: 'utf8' });
    expect(out).toMatch(/keeping .*medstock\.env/);
    expect([
      readFileSync(join(etc, 'medstock.env'), 'utf8'),
      readFileSync(join(etc, 'jwt-ed25519.pem'), 'utf8'),
    ]).toEqual(before);
    expect(existsSync(join(prefix, 'opt/medstock/app/api.js'))).toBe(true);
    expect(existsSync(join(prefix, 'opt/medstock.old'))).toBe(false);
  });
});
