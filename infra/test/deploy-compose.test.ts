import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { dockerStages, SECRET_NAME, secretLookingLines, stageUser } from './support/deploy-files.ts';

/**
 * The on-premises container deployment, checked without building images: the Dockerfile's
 * targets and users, the build context's exclusions, and the compose file's services, order,
 * probes, secrets and billing. `docker compose config` runs too where a Compose client exists
 * (this machine has a docker CLI without the compose plugin, so it does not here).
 */
const root = resolve(import.meta.dirname, '../..');
const deploy = resolve(root, 'infra/deploy');
const dockerfile = readFileSync(join(deploy, 'Dockerfile'), 'utf8');
const composeFile = join(deploy, 'compose/compose.yaml');

interface Service {
  image?: string;
  build?: { context: string; dockerfile: string; target: string };
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  secrets?: string[];
  volumes?: string[];
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
const compose = parse(readFileSync(composeFile, 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  secrets: Record<string, { file: string }>;
};
const services = compose.services;

describe('Dockerfile', () => {
  const stages = dockerStages(dockerfile);

  it('has api and worker targets on node:20-bookworm-slim that run the build as a non-root user', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:20-bookworm-slim$/m);
    for (const target of ['api', 'worker']) {
      expect(stages.has(target), target).toBe(true);
      expect(stageUser(stages, target), target).not.toMatch(/^(root|0)$/);
      const lines = stages.get(target)!.lines;
      expect(
        lines.some((l) => l.startsWith('HEALTHCHECK')),
        `${target} HEALTHCHECK`,
      ).toBe(true);
      const cmd = lines.filter((l) => l.startsWith('CMD')).at(-1)!; // the last: HEALTHCHECK's own CMD comes first
      expect(cmd).toContain(`app/${target}.js`);
      expect(cmd).not.toMatch(/tsx/);
    }
    expect(stages.get('api')!.lines.join('\n')).toMatch(/\/readyz/);
    expect(stages.get('worker')!.lines.join('\n')).toMatch(/WORKER_HTTP_PORT.*\/healthz/);
  });

  it("installs production dependencies only into the runtime, from the build's package.json", () => {
    expect(stages.get('build')!.lines).toContain('RUN pnpm build');
    expect(stages.get('deps')!.lines).toContain('RUN pnpm install --prod');
    const runtime = stages.get('runtime')!.lines.join('\n');
    expect(runtime).toMatch(/COPY --from=deps \/app\/node_modules/);
    expect(runtime).toMatch(/COPY --from=build \/src\/dist/);
    expect(runtime).toMatch(/NODE_ENV=production/);
  });

  it('builds from a context without modules, local data, builds or secrets', () => {
    const ignored = readFileSync(join(root, '.dockerignore'), 'utf8').split('\n');
    for (const p of ['**/node_modules', '.local', '.test-run', 'dist', '.git', 'infra/deploy/**/secrets'])
      expect(ignored, p).toContain(p);
  });
});

describe('compose file (on-premises)', () => {
  it('has PostgreSQL, Redis, the TLS proxy, the migration one-shot, API, worker and backups', () => {
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'backup',
      'caddy',
      'migrate',
      'postgres',
      'redis',
      'worker',
    ]);
    expect(services.api!.build).toMatchObject({ dockerfile: 'infra/deploy/Dockerfile', target: 'api' });
    expect(services.worker!.build).toMatchObject({ dockerfile: 'infra/deploy/Dockerfile', target: 'worker' });
    expect(
      existsSync(resolve(deploy, 'compose', services.api!.build!.context, 'infra/deploy/Dockerfile')),
    ).toBe(true);
    expect(services.migrate!.command).toContain('app/migrate.cli.js');
  });

  it('starts API and worker only after the migration succeeded, and checks their health', () => {
    for (const name of ['api', 'worker']) {
      expect(services[name]!.depends_on?.migrate).toEqual({ condition: 'service_completed_successfully' });
      expect(services[name]!.depends_on?.redis).toEqual({ condition: 'service_healthy' });
    }
    expect(services.migrate!.depends_on?.postgres).toEqual({ condition: 'service_healthy' });
    expect(services.api!.healthcheck!.test.join(' ')).toMatch(/\/readyz/);
    expect(services.worker!.healthcheck!.test.join(' ')).toMatch(/3001\/healthz/);
    expect(services.worker!.environment!.WORKER_HTTP_PORT).toBe('3001');
    for (const name of ['postgres', 'redis']) expect(services[name]!.healthcheck, name).toBeDefined();
  });

  it('terminates TLS in Caddy in front of the API, which trusts that one proxy', () => {
    expect(services.caddy!.ports).toEqual(['80:80', '443:443']);
    expect(services.api!.ports).toBeUndefined(); // reachable only through the proxy
    const caddyfile = readFileSync(join(deploy, 'compose/Caddyfile'), 'utf8');
    expect(caddyfile).toMatch(/reverse_proxy api:3000/);
    expect(caddyfile).toMatch(/^\s*tls /m);
    expect(services.api!.environment!.PUBLIC_URL).toMatch(/^https:\/\//);
    expect(services.api!.environment!.TRUST_PROXY).toBe('1');
  });

  it('backs up on a schedule with the shared pg_dump script', () => {
    const backup = services.backup!;
    expect(backup.entrypoint!.join(' ')).toMatch(/pg-dump-loop\.sh/);
    expect(backup.volumes).toContain('../backup:/backup:ro');
    expect(existsSync(join(deploy, 'backup/pg-dump-loop.sh'))).toBe(true);
    expect(existsSync(join(deploy, 'backup/pg-dump-once.sh'))).toBe(true);
    expect(backup.environment!.BACKUP_EVERY_SECONDS).toMatch(/^\$\{BACKUP_EVERY_SECONDS:-\d+\}$/);
  });

  it('runs in production, on-premises, with billing off', () => {
    for (const name of ['api', 'worker', 'migrate']) {
      const env = services[name]!.environment!;
      expect(env.NODE_ENV).toBe('production');
      expect(env.DEPLOYMENT_MODE).toBe('on-premises');
      expect(Object.keys(env).filter((k) => k.startsWith('STRIPE_'))).toEqual([]);
    }
  });

  it('takes every secret from a Docker secret file, none from the compose file', () => {
    for (const [name, secret] of Object.entries(compose.secrets))
      expect(secret.file, name).toBe(`./secrets/${name}`);
    for (const [name, service] of Object.entries(services)) {
      for (const [key, value] of Object.entries(service.environment ?? {})) {
        if (key.endsWith('_FILE')) {
          const secret = /^\/run\/secrets\/(\w+)$/.exec(value)?.[1];
          expect(secret && service.secrets?.includes(secret), `${name} ${key}`).toBe(true);
        } else expect(SECRET_NAME.test(key), `${name} ${key} should be ${key}_FILE`).toBe(false);
      }
    }
    expect(readFileSync(join(deploy, 'compose/.gitignore'), 'utf8')).toMatch(/^secrets\/$/m);
  });

  it('holds no secret-looking value in any deployment file', () => {
    expect(secretLookingLines(deploy)).toEqual([]);
    // The detector itself finds what it is meant to find.
    const bad = mkdtempSync(join(tmpdir(), 'medstock-secrets-'));
    try {
      writeFileSync(
        join(bad, 'x.yaml'),
        [
          'POSTGRES_PASSWORD: hunter2',
          'DATABASE_URL=postgres://medstock:s3cret@db/medstock',
          '  - STRIPE_SECRET_KEY=sk_live_abcdef123456',
          '-----BEGIN PRIVATE KEY-----',
          'JWT_PRIVATE_KEY_FILE: /run/secrets/jwt_private_key',
          'SMTP_URL: ${SMTP_URL}',
        ].join('\n'),
      );
      expect(secretLookingLines(bad).map((l) => l.split(':')[1])).toEqual(['1', '2', '3', '4']);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it('is valid for docker compose where a Compose client exists', () => {
    const client = spawnSync('docker', ['compose', 'version'], { encoding: 'utf8' });
    if (client.status !== 0) {
      // No Compose client here (a docker CLI without the compose plugin): the parse above stands in.
      expect(client.status === null || client.status > 0).toBe(true);
      return;
    }
    const r = spawnSync('docker', ['compose', '-f', composeFile, 'config', '--quiet'], {
      encoding: 'utf8',
      env: { ...process.env, MEDSTOCK_DOMAIN: 'medstock.test' },
    });
    expect(r.status, r.stderr).toBe(0);
  });
});
