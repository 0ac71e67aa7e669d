import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { BatchComputation, ItemLocationResult } from './compute-batch.ts';

// Run from source (tsx, tests) the thread loads the .ts file through tsx, whatever loaded this
// module (a test runner transforms TypeScript its own way, which threads do not inherit); from a
// build, the .js beside this one.
const fromSource = import.meta.url.endsWith('.ts');
const threadFile = new URL(`./compute-thread${fromSource ? '.ts' : '.js'}`, import.meta.url).href;

let pool: Piscina | null = null;
let poolThreads = 0;

/** The number of fitting threads for a configured value (0 = one per core). */
export function fittingThreads(configured: number): number {
  return configured > 0 ? configured : availableParallelism();
}

function poolOf(threads: number): Piscina {
  if (pool && poolThreads === threads) return pool;
  void pool?.destroy();
  poolThreads = threads;
  // Threads end after a minute idle, so a worker process that only drains events holds none, while
  // back-to-back runs keep theirs (starting one loads the engine's modules: about a CPU-second).
  pool = new Piscina({
    filename: threadFile,
    minThreads: 0,
    maxThreads: threads,
    idleTimeout: 60_000,
    execArgv: fromSource ? ['--import', 'tsx'] : [],
  });
  return pool;
}

/**
 * Computes a batch on `threads` worker threads, in as many slices (an item's sites stay in one
 * slice only by chance: priors were assigned on the main thread before, so slices are free).
 * Results come back in input order.
 */
export async function computeOnThreads(
  task: BatchComputation,
  threads: number,
): Promise<ItemLocationResult[]> {
  const p = poolOf(threads);
  const size = Math.ceil(task.inputs.length / threads);
  const slices: Promise<ItemLocationResult[]>[] = [];
  for (let i = 0; i < task.inputs.length; i += size)
    slices.push(p.run({ ...task, inputs: task.inputs.slice(i, i + size) } satisfies BatchComputation));
  return (await Promise.all(slices)).flat();
}

/** Ends the fitting threads (worker shutdown). */
export async function closeComputePool(): Promise<void> {
  const p = pool;
  pool = null;
  await p?.destroy();
}
