import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * `pnpm bench`: every benchmark, each beside its baseline measured in the same run. Figures go to
 * stdout and to bench-results/latest.md. `pnpm bench <name>` runs one.
 */
// The forecast-quality runner is a script that prints as it goes and may exit early (data file
// absent): run it in its own process so it can never end the other benchmarks.
const script = (path: string) => async () => ({
  run: async () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', resolve(import.meta.dirname, path)], {
      encoding: 'utf8',
    });
    console.log(r.stdout.trimEnd());
    if (r.status !== 0)
      console.log(`(${path} exited with ${r.status}: ${r.stderr.trim().split('\n').pop()})`);
  },
});

const BENCHES: Record<string, () => Promise<{ run: (o?: object) => Promise<unknown> }>> = {
  'forecast-quality': script('../../core/bench/forecast-quality.bench.ts'),
  platform: () => import('./platform.bench.ts'),
  movements: () => import('./movements.bench.ts'),
  engine: () => import('./engine.bench.ts'),
  web: () => import('./web.bench.ts'),
  scale: () => import('./scale.bench.ts'),
  'import-movements': () => import('../../worker/bench/import-movements.bench.ts'),
};

const only = process.argv.slice(2);
const names = only.length ? only : Object.keys(BENCHES);
const out: string[] = [`# Benchmark run ${new Date().toISOString()} (node ${process.version})`];
const log = console.log;
console.log = (...args: unknown[]) => {
  out.push(args.map(String).join(' '));
  log(...args);
};
for (const name of names) {
  const load = BENCHES[name];
  if (!load) {
    console.error(`unknown benchmark '${name}'; known: ${Object.keys(BENCHES).join(', ')}`);
    process.exit(2);
  }
  log(`\n▶ ${name}`);
  await (await load()).run();
}
const dir = resolve(import.meta.dirname, '../../bench-results');
mkdirSync(dir, { recursive: true });
writeFileSync(resolve(dir, 'latest.md'), `${out.join('\n')}\n`);
process.exit(0);
