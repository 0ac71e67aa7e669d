import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { build, type Metafile, type Plugin } from 'esbuild';
import { parse, stringify } from 'yaml';

/**
 * `pnpm build [--out <dir>]`: the production build, in dist/ by default.
 *
 *   app/*.js             one ES module per entry (API, worker, CLIs, piscina thread) with our
 *                        workspace code bundled and shared chunks beside them; npm packages stay
 *                        external and come from the generated package.json
 *   migrations/          the SQL the migrator reads
 *   db/catalogue-templates/, web/dist/   the other shipped files, at their repository paths,
 *                        which is how shippedPath() (config) finds them from either layout
 *   package.json         the production dependencies the bundles import, at the installed versions
 *   pnpm-workspace.yaml  which install scripts pnpm may run there
 *
 * Run it with `cd dist && npm install --omit=dev` (or pnpm) and `node app/api.js`.
 */
const root = resolve(import.meta.dirname, '../..');
const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = resolve(values.out ?? resolve(root, 'dist'));

/** The command-line entries of one folder (`*.cli.ts`), found rather than listed: new commands are built too. */
const clisIn = (dir: string) =>
  readdirSync(resolve(root, dir))
    .filter((f) => f.endsWith('.cli.ts'))
    .sort()
    .map((f) => `${dir}/${f}`);

/** Output name (without .js) → source. The tenant commands keep their names: the dispatcher loads them by file. */
const entries: Record<string, string> = {
  api: 'api/src/server.ts',
  worker: 'worker/src/main.ts',
  // A piscina thread is loaded by file name (compute-pool.ts), so it is an entry of its own.
  'compute-thread': 'worker/src/engine/compute/compute-thread.ts',
};
for (const cli of [...clisIn('db/src/cli'), ...clisIn('worker/src/cli')]) entries[basename(cli, '.ts')] = cli;

/** Workspace packages are bundled; every other bare import is an npm package, left external. */
const npmPackagesExternal: Plugin = {
  name: 'npm-packages-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) =>
      args.path.startsWith('@medstock/') || args.path.startsWith('node:')
        ? undefined
        : { path: args.path, external: true },
    );
  },
};

function run(cmd: string, args: string[], cwd: string) {
  const r = spawnSync(cmd, args, { cwd, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed in ${cwd}`);
}

/** The package name of a bare import (`@scope/name/sub` → `@scope/name`). */
const packageOf = (path: string) =>
  path
    .split('/')
    .slice(0, path.startsWith('@') ? 2 : 1)
    .join('/');

/** The external npm packages the bundles import, with the version installed where our code imports them. */
function productionDependencies(meta: Metafile): Record<string, string> {
  const deps: Record<string, string> = {};
  for (const [file, input] of Object.entries(meta.inputs)) {
    for (const imp of input.imports) {
      if (!imp.external || imp.path.startsWith('node:')) continue;
      const name = packageOf(imp.path);
      if (deps[name]) continue;
      // Resolved from the importing file's package, so the version is the one that package declares.
      const require = createRequire(resolve(root, file));
      const manifest = findManifest(dirname(require.resolve(imp.path)), name);
      deps[name] = (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
    }
  }
  return Object.fromEntries(Object.entries(deps).sort(([a], [b]) => a.localeCompare(b)));
}

function findManifest(from: string, name: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const file = resolve(dir, 'package.json');
    if (existsSync(file) && (JSON.parse(readFileSync(file, 'utf8')) as { name?: string }).name === name)
      return file;
  }
  throw new Error(`no package.json of ${name} above ${from}`);
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

console.log('build: web app (vite)');
// Straight into the output, never web/dist: `npm start` and the browser tests use that one, and
// two builds at once must not empty each other's.
run(
  process.execPath,
  [
    resolve(root, 'web/node_modules/vite/bin/vite.js'),
    'build',
    '--logLevel',
    'warn',
    '--outDir',
    resolve(out, 'web/dist'),
    '--emptyOutDir',
  ],
  resolve(root, 'web'),
);

console.log(`build: ${Object.keys(entries).length} entries (esbuild)`);
const result = await build({
  absWorkingDir: root,
  entryPoints: entries,
  outdir: resolve(out, 'app'),
  bundle: true,
  // Shared code in chunks beside the entries: one copy of each module per process, even when an
  // entry loads another (the tenant dispatcher and its commands).
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.11',
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
  plugins: [npmPackagesExternal],
});

cpSync(resolve(root, 'migrations'), resolve(out, 'migrations'), { recursive: true });
cpSync(resolve(root, 'db/catalogue-templates'), resolve(out, 'db/catalogue-templates'), { recursive: true });

const rootManifest = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8')) as {
  version?: string;
  engines: Record<string, string>;
};
const dependencies = productionDependencies(result.metafile);
writeFileSync(
  resolve(out, 'package.json'),
  `${JSON.stringify(
    {
      name: 'medstock-dist',
      version: rootManifest.version ?? '0.0.0',
      private: true,
      type: 'module',
      description: 'medstock production build (generated by pnpm build; do not edit)',
      engines: rootManifest.engines,
      scripts: {
        api: 'node --enable-source-maps app/api.js',
        worker: 'node --enable-source-maps app/worker.js',
        migrate: 'node --enable-source-maps app/migrate.cli.js',
        tenant: 'node --enable-source-maps app/tenant.cli.js',
      },
      dependencies,
    },
    null,
    2,
  )}\n`,
);
// pnpm runs no install scripts it was not told to: the same allowance as the repository's (a native
// msgpack decoder of bullmq). npm ignores this file.
const workspace = parse(readFileSync(resolve(root, 'pnpm-workspace.yaml'), 'utf8')) as {
  allowBuilds?: object;
};
writeFileSync(resolve(out, 'pnpm-workspace.yaml'), stringify({ allowBuilds: workspace.allowBuilds ?? {} }));
console.log(`build: ${out} (${Object.keys(dependencies).length} production dependencies)`);
