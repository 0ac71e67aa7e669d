import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type pg from 'pg';

/**
 * What a piece of work costs: wall time, this process's CPU (process.cpuUsage covers every
 * thread, worker threads included), PostgreSQL's CPU read from /proc, and this process's memory
 * sampled while it runs. The machine is shared and busy, so CPU seconds are the steadier figure.
 */
export interface Cost {
  wallS: number;
  nodeCpuS: number;
  pgCpuS: number;
  /** Highest resident set size sampled during the work (MB). */
  peakRssMb: number;
  /** Highest V8 heap in use sampled during the work (MB), main thread only. */
  peakHeapMb: number;
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** Fields of /proc/<pid>/stat after the command name (which may contain spaces). */
function statFields(pid: string | number): string[] | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  } catch {
    return null; // exited meanwhile
  }
}

// Indexes into statFields: field n of proc(5) is at n - 3.
const PPID = 1;
const UTIME = 11;
const STIME = 12;
const CUTIME = 13;
const CSTIME = 14;

/**
 * CPU seconds PostgreSQL has used so far: the postmaster's own and its reaped children's
 * (cutime + cstime), plus each live child's (backends, autovacuum, background writers).
 */
export function postgresCpuSeconds(postmasterPid: number): number {
  const pm = statFields(postmasterPid);
  if (!pm) return Number.NaN;
  let ticks = [UTIME, STIME, CUTIME, CSTIME].reduce((a, i) => a + Number(pm[i]), 0);
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    const f = statFields(d);
    if (f && Number(f[PPID]) === postmasterPid) ticks += Number(f[UTIME]) + Number(f[STIME]);
  }
  return ticks / CLK_TCK;
}

/** The postmaster's pid, from postmaster.pid in the server's data directory. */
export async function postmasterPid(pool: pg.Pool): Promise<number> {
  const r = await pool.query<{ data_directory: string }>('show data_directory');
  return Number(readFileSync(join(r.rows[0]!.data_directory, 'postmaster.pid'), 'utf8').split('\n')[0]);
}

// A full collection before each measured piece, so garbage left by the seeding or the previous
// run is not charged to it (the flag is set at run time; no --expose-gc needed on the command line).
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

/**
 * Memory the work keeps, not the garbage it makes: a full collection after each step (batch) and
 * the heap then in use, highest over the steps (MB). Peak sampled heap mostly measures how lazily
 * V8 collects; this is what has to stay flat as an organisation grows.
 */
export function retainedHeapProbe(): { step: () => void; maxMb: () => number } {
  let max = 0;
  return {
    step: () => {
      collect();
      max = Math.max(max, process.memoryUsage().heapUsed);
    },
    maxMb: () => max / 1e6,
  };
}

/** Runs fn and returns its result with what it cost. */
export async function measure<T>(
  pgPid: number,
  fn: () => Promise<T>,
  sampleMs = 50,
): Promise<{ result: T; cost: Cost }> {
  collect();
  let peakRss = process.memoryUsage.rss();
  let peakHeap = process.memoryUsage().heapUsed;
  const sample = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }, sampleMs);
  const pg0 = postgresCpuSeconds(pgPid);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  try {
    const result = await fn();
    const wallS = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const pgCpuS = postgresCpuSeconds(pgPid) - pg0;
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
    return {
      result,
      cost: {
        wallS,
        nodeCpuS: (cpu.user + cpu.system) / 1e6,
        pgCpuS,
        peakRssMb: peakRss / 2 ** 20,
        peakHeapMb: peakHeap / 2 ** 20,
      },
    };
  } finally {
    clearInterval(sample);
  }
}
