import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, relocatedDataDir } from '../local/services.ts';

/**
 * The README's two commands, run as a newcomer would: a checkout inside a private (mode 700)
 * folder — root's home directory is one — with nothing pre-started. As root, PostgreSQL runs as the
 * postgres user, who cannot enter that folder; as anyone else, it runs as the caller.
 * Two checkouts whose paths differ only early on, the first removed before the second starts, so a
 * shared copy that points back into a removed checkout, or data folders that collide, fail here.
 */
const root = resolve(import.meta.dirname, '../..');
const runDir = process.env.MEDSTOCK_TEST_RUN_DIR ?? resolve(root, '.test-run', `${process.pid}`);
const made: string[] = [];

/** The tree as it is now (tracked and new files, not ignored ones), copied like a fresh clone. */
function cloneInto(dir: string): void {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root })
    .toString()
    .split('\0')
    .filter((f) => f && existsSync(join(root, f)));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(root, f), join(dir, f));
  }
}

/** The environment of a newcomer's shell: none of the test run's own servers or settings. */
function newcomerEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(DATABASE_URL|REDIS_URL|MEDSTOCK_|JWT_|QUEUE_PREFIX|LOG_LEVEL|VITEST|NODE_ENV|TEST|npm_)/.test(k))
      continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

function run(
  cmd: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<{ code: number; out: string }> {
  return new Promise((res) => {
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => res({ code: code ?? 1, out }));
  });
}

/** Signals npm and everything it started; a group that has already gone is fine. */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!child.pid || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {}
}

/** `npm start` until it prints its banner, then one request to the URL it printed, then Ctrl-C. */
async function npmStartAnswers(cwd: string): Promise<{ health: number; banner: string; exit: number }> {
  const port = await freePort();
  const child: ChildProcess = spawn('npm', ['start'], {
    cwd,
    env: newcomerEnv({ PORT: String(port) }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<number>((r) => child.on('exit', (c) => r(c ?? 1)));
  try {
    const url = await new Promise<string>((res, rej) => {
      const timer = setInterval(() => {
        const m = out.match(/open\s+(http:\/\/\S+)/);
        if (m?.[1]) {
          clearInterval(timer);
          res(m[1]);
        }
      }, 200);
      exited.then(() => {
        clearInterval(timer);
        rej(new Error(`npm start exited before it was ready:\n${out.slice(-3000)}`));
      });
    });
    const health = await fetch(new URL('/healthz', url)).then((r) => r.status);
    return { health, banner: out, exit: 0 };
  } finally {
    signalGroup(child, 'SIGINT');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    signalGroup(child, 'SIGKILL');
  }
}

describe('the README commands in a private folder', () => {
  afterAll(() => {
    for (const dir of made) rmSync(dir, { recursive: true, force: true });
  });

  it('npm test and npm start work from two private checkouts, the first removed before the second runs', async () => {
    const tag = randomBytes(4).toString('hex');
    // Same last path segments, different early ones: the old base64-suffix naming collided here.
    const homes = [resolve(runDir, `a-${tag}`, 'home'), resolve(runDir, `b-${tag}`, 'home')];
    for (const [i, home] of homes.entries()) {
      const checkout = join(home, 'medstock');
      mkdirSync(checkout, { recursive: true });
      chmodSync(home, 0o700);
      made.push(dirname(home));
      cloneInto(checkout);

      const test = await run(
        'npm',
        ['test', '--', 'core/test/units/convert.test.ts'],
        checkout,
        newcomerEnv(),
      );
      expect(test.out, test.out.slice(-3000)).toMatch(/\n[1-9]\d* passed, 0 failed/);
      expect(test.code).toBe(0);

      const start = await npmStartAnswers(checkout);
      expect(start.health).toBe(200);
      expect(start.banner).toContain('medstock is running');

      if (process.getuid?.() === 0) {
        // The demo data of each checkout lives in its own folder outside it.
        expect(existsSync(join(relocatedDataDir(join(checkout, '.local', 'postgres')), 'PG_VERSION'))).toBe(
          true,
        );
      }
      if (i === 0) {
        rmSync(dirname(home), { recursive: true, force: true });
        if (process.getuid?.() === 0)
          rmSync(relocatedDataDir(join(checkout, '.local', 'postgres')), { recursive: true, force: true });
      } else if (process.getuid?.() === 0) {
        rmSync(relocatedDataDir(join(checkout, '.local', 'postgres')), { recursive: true, force: true });
      }
    }
  }, 900_000);
});
