import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const depcruise = join(root, 'node_modules/.bin/depcruise');
const run = promisify(execFile);

interface Cruise {
  violations: Array<{ rule: { name: string }; from: string; to: string }>;
  modules: number;
}

/** Runs dependency-cruiser with the repository's rules on `paths`, from `cwd` (JSON report). */
async function cruise(cwd: string, config: string, paths: string[]): Promise<Cruise> {
  const args = ['-c', join(root, config), '-T', 'json', ...paths];
  const { stdout } = await run(depcruise, args, { cwd, maxBuffer: 64 << 20 });
  const out = JSON.parse(stdout) as { summary: { violations: Cruise['violations']; totalCruised: number } };
  return { violations: out.summary.violations, modules: out.summary.totalCruised };
}

/** The exit code of the check as CI runs it (the `err` reporter fails the build on an error). */
async function exitCodeOf(cwd: string, config: string, paths: string[]): Promise<number> {
  try {
    await run(depcruise, ['-c', join(root, config), '-T', 'err', ...paths], { cwd });
    return 0;
  } catch (err) {
    return (err as { code?: number }).code ?? -1;
  }
}

describe('dependency rules (.dependency-cruiser.cjs, run in CI by `pnpm deps:rules`)', () => {
  it('the workspace keeps them: no violation, and every package is cruised', async () => {
    const server = await cruise(root, '.dependency-cruiser.cjs', [
      'config/src',
      'core/src',
      'contracts/src',
      'db/src',
      'api/src',
      'worker/src',
    ]);
    expect(server.violations).toEqual([]);
    // A parser that silently skipped the TypeScript files would find nothing to object to.
    expect(server.modules).toBeGreaterThan(300);
    const web = await cruise(root, '.dependency-cruiser.web.cjs', ['web/src']);
    expect(web.violations).toEqual([]);
    expect(web.modules).toBeGreaterThan(50);
    expect(await exitCodeOf(root, '.dependency-cruiser.web.cjs', ['web/src'])).toBe(0);
  });

  describe('and each rule fires on a violation', () => {
    // A throw-away workspace of the same shape: nothing is written into the real tree.
    let dir: string;
    const write = (path: string, text: string) => {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    };
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'medstock-deps-'));
      write(
        'worker/package.json',
        JSON.stringify({ name: '@medstock/worker', type: 'module', exports: { './*': './src/*' } }),
      );
      write('worker/src/queues.ts', 'export const queues = 1;\n');
      write('api/src/app.ts', 'export const app = 1;\n');
      write('core/src/pure.ts', 'export const pure = 1;\n');
      write('db/src/pool.ts', 'export const pool = 1;\n');
      mkdirSync(join(dir, 'node_modules/@medstock'), { recursive: true });
      symlinkSync(join(dir, 'worker'), join(dir, 'node_modules/@medstock/worker'));
      // The violations, one per rule.
      write(
        'api/src/by-package.ts',
        "import { queues } from '@medstock/worker/queues.ts';\nexport const a = queues;\n",
      );
      write(
        'api/src/by-path.ts',
        "import type { queues } from '../../worker/src/queues.ts';\nexport type A = typeof queues;\n",
      );
      write('worker/src/to-api.ts', "import { app } from '../../api/src/app.ts';\nexport const w = app;\n");
      write(
        'core/src/to-worker.ts',
        "import { queues } from '../../worker/src/queues.ts';\nexport const c = queues;\n",
      );
      write(
        'core/src/reads-files.ts',
        "import { readFileSync } from 'node:fs';\nexport const r = readFileSync;\n",
      );
      write(
        'contracts/src/to-api.ts',
        "import { app } from '../../api/src/app.ts';\nexport const k = app;\n",
      );
      write(
        'web/src/to-db.tsx',
        "import { pool } from '../../db/src/pool.ts';\nexport const V = () => <b>{pool}</b>;\n",
      );
    });
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('api → worker (by package or path, types too), worker → api, core → ours or node I/O, contracts → shells', async () => {
      const paths = ['api/src', 'worker/src', 'core/src', 'contracts/src'];
      const r = await cruise(dir, '.dependency-cruiser.cjs', paths);
      const found = r.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`).sort();
      expect(found).toEqual(
        [
          'api-not-to-worker: api/src/by-package.ts → worker/src/queues.ts',
          'api-not-to-worker: api/src/by-path.ts → worker/src/queues.ts',
          'contracts-not-to-shells: contracts/src/to-api.ts → api/src/app.ts',
          'core-is-self-contained: core/src/to-worker.ts → worker/src/queues.ts',
          'core-no-node-io: core/src/reads-files.ts → fs',
          'worker-not-to-api: worker/src/to-api.ts → api/src/app.ts',
        ].sort(),
      );
      expect(await exitCodeOf(dir, '.dependency-cruiser.cjs', paths)).not.toBe(0);
    });

    it('web → server packages (core, pure, may be shared)', async () => {
      const r = await cruise(dir, '.dependency-cruiser.web.cjs', ['web/src']);
      expect(r.violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([
        'web-not-to-server: web/src/to-db.tsx → db/src/pool.ts',
      ]);
      expect(await exitCodeOf(dir, '.dependency-cruiser.web.cjs', ['web/src'])).not.toBe(0);
    });
  });
});
