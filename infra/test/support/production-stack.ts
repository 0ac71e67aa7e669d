import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createTestDatabase } from '../../../api/test/support/test-database.ts';
import { freePort } from '../../local/services.ts';

/**
 * What the production-build and Debian-install tests share: the build with its production
 * dependencies installed, an empty database, a production environment, and processes started
 * from the built files (never through tsx).
 */
export const repoRoot = resolve(import.meta.dirname, '../../..');
const pnpm = resolve(repoRoot, '.local/tools/node_modules/.bin/pnpm');

/** `pnpm build --out <dir>`, then its production dependencies (from the local store: no network). */
export function buildWithProductionDependencies(out: string): void {
  execFileSync(
    process.execPath,
    ['--import', 'tsx', resolve(repoRoot, 'infra/build/build.ts'), '--out', out],
    {
      cwd: repoRoot,
      stdio: 'pipe',
    },
  );
  execFileSync(pnpm, ['install', '--prod', '--offline', '--config.confirmModulesPurge=false'], {
    cwd: out,
    stdio: 'pipe',
    env: { ...process.env, CI: '1' },
  });
}

/** A new, empty database on the test PostgreSQL (nothing migrated: the built migrator does that). */
export const createEmptyDatabase = () => createTestDatabase({ template: null });

export interface Started {
  child: ChildProcess;
  output(): string;
  /** Its exit code, once it exits by itself. */
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

/** Starts a process and collects its output (for the assertion messages and the log checks). */
export function start(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Started {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  return {
    child,
    output: () => out,
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Waits until `check` passes or the process exits (then fails with its output). */
export async function until(
  p: Started,
  check: () => Promise<boolean> | boolean,
  what: string,
): Promise<void> {
  // Generous: a busy 2-core CI machine starts a process in seconds, sometimes tens of them.
  const deadline = Date.now() + 150_000;
  while (Date.now() < deadline) {
    if (p.child.exitCode !== null)
      throw new Error(`${what}: the process exited (${p.child.exitCode}):\n${p.output()}`);
    if (
      await Promise.resolve()
        .then(check)
        .catch(() => false)
    )
      return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${what}: not within 150 s:\n${p.output()}`);
}

export const ready = (base: string) => async () => (await fetch(`${base}/readyz`)).status === 200;

export { freePort };

/**
 * The development tools installed anywhere under `dir`'s node_modules (pnpm keeps every package,
 * direct or not, in node_modules/.pnpm/<name>@<version>): production needs none of them.
 */
export function devToolsIn(dir: string): string[] {
  const store = resolve(dir, 'node_modules/.pnpm');
  if (!existsSync(store)) throw new Error(`${store} is missing: were the dependencies installed with pnpm?`);
  return readdirSync(store).filter((d) => /^(tsx|typescript|vitest|vite|esbuild|@biomejs\+biome)@/.test(d));
}
