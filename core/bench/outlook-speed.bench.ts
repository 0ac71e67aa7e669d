/**
 * Runner: node --import tsx core/bench/outlook-speed.bench.ts [--dump FILE [--seed S]] [--series N] [--kind K]
 *
 * CPU cost of the engine per item-location (issue 10): seeded 1096-day daily series of three
 * kinds — smooth (Poisson ≈ 20/day with a weekday pattern), seasonal (yearly × weekly), intermittent
 * (demand on ≈ 15% of days) — and 48-month series posted as month-end reports, each timed through
 * computeItemLocation (the live path) and forecastOutlook alone, in µs per series by kind; and a
 * refit that reuses the previous choice (EngineInput.previousChoice).
 *
 * Measured 2026-12-01 on the shared 2-core machine (load ≈ 7, so absolute figures run high), CPU µs
 * per series, the code before issue 10's core work and after it loaded in one process and timed in
 * alternation (best of 25 rounds of 40 series):
 *   computeItemLocation  smooth 4159 → 2043, seasonal 4068 → 1971, intermittent 329 → 221, monthly 361 → 266
 *   forecastOutlook      smooth 2976 → 1805, seasonal 2910 → 1444, intermittent 155 → 134, monthly 170 → 153
 *   refit with previousChoice (computeItemLocation): smooth 745, seasonal 991, intermittent 137, monthly 155
 *   refit, before → after 82d851a/81d86d1/a79607b (yearly index evaluated only as far as read, early-
 *   deciding reorder-point bisection, labels formatted when read; alternating, best of 60 rounds of
 *   40): smooth 798 → 718, seasonal 1000 → 867, intermittent 153 → 140, monthly 182 → 160
 * (The forecastOutlook column below also reads `periods`, as the backtest does; the engine does not.)
 *
 * --dump FILE writes every output of computeItemLocation for a few hundred varied series (stock-outs,
 * excluded days, priors, short and weekly series too) as JSON, so an optimisation can be checked to
 * leave every figure unchanged: run before and after and compare the files.
 */
import { writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import {
  computeItemLocation,
  outlookInputOf as engineOutlookInput,
} from '../src/engine/compute-item-location.ts';
import { DEFAULT_ENGINE_SETTINGS, type EngineInput } from '../src/engine/engine-input.ts';
import { addDays } from '../src/forecast/dates.ts';
import { forecastOutlook } from '../src/forecast/outlook.ts';
import type { DemandPrior, OutlookInput } from '../src/forecast/outlook-types.ts';
import { mulberry32 as rng } from '../src/stats/prng.ts';

function poisson(r: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 60) return Math.max(0, Math.round(mean + Math.sqrt(mean) * gauss(r)));
  const L = Math.exp(-mean);
  let k = 0;
  let p = 1;
  for (;;) {
    p *= r();
    if (p <= L) return k;
    k++;
  }
}

function gauss(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

export type Kind = 'smooth' | 'seasonal' | 'intermittent' | 'monthly' | 'weekly' | 'short';

const DAYS = 1096;
const TODAY = '2026-12-01';
const WEEKDAY = [0.6, 1.15, 1.2, 1.1, 1.1, 1.05, 0.8];

/** One synthetic daily ledger series (oldest first, ending yesterday) of the given kind. */
export function series(kind: Kind, seed: number): number[] {
  const r = rng(seed);
  const out: number[] = [];
  if (kind === 'monthly') {
    // 48 monthly reports posted on each month's last day, nothing in between.
    const start = addDays(TODAY, -1461);
    const level = 100 + 400 * r();
    for (let t = 0; t < 1461; t++) {
      const d = addDays(start, t);
      const last = addDays(d, 1).slice(8, 10) === '01';
      out.push(last ? poisson(r, level * (1 + 0.2 * Math.sin((2 * Math.PI * t) / 365.25))) : 0);
    }
    return out;
  }
  if (kind === 'weekly') {
    const level = 30 + 60 * r();
    for (let t = 0; t < 730; t++) out.push(t % 7 === 3 ? poisson(r, level) : 0);
    return out;
  }
  const n = kind === 'short' ? 40 + Math.floor(200 * r()) : DAYS;
  const base = kind === 'intermittent' ? 1 + 4 * r() : 10 + 20 * r();
  const amp = 0.3 + 0.4 * r();
  const phase = 2 * Math.PI * r();
  const drift = (r() - 0.5) * 0.3;
  for (let t = 0; t < n; t++) {
    const trend = 1 + (drift * t) / n;
    if (kind === 'intermittent') {
      out.push(r() < 0.15 ? 1 + poisson(r, base * trend) : 0);
      continue;
    }
    let mean = base * trend * WEEKDAY[t % 7]!;
    if (kind === 'seasonal') mean *= 1 + amp * Math.sin((2 * Math.PI * t) / 365.25 + phase);
    out.push(poisson(r, mean));
  }
  return out;
}

export interface Variant {
  stockouts?: boolean;
  excluded?: boolean;
  prior?: DemandPrior | null;
  arrivals?: boolean;
}

/** An EngineInput around a series, as the worker builds it (see worker/src/engine/load-inputs.ts). */
export function engineInput(kind: Kind, seed: number, v: Variant = {}): EngineInput {
  const history = series(kind, seed);
  const n = history.length;
  const r = rng(seed ^ 0x9e3779b9);
  const stockoutDays = Array<boolean>(n).fill(false);
  if (v.stockouts) {
    // Two stretches of stock-out (demand censored to 0).
    for (let k = 0; k < 2; k++) {
      const s = Math.floor(r() * (n - 20));
      for (let t = s; t < s + 5 + Math.floor(r() * 10); t++) {
        stockoutDays[t] = true;
        history[t] = 0;
      }
    }
  }
  const excludedDays: number[] = [];
  if (v.excluded) for (let k = 0; k < 3; k++) excludedDays.push(Math.floor(r() * n));
  let mean = 0;
  for (const x of history) mean += x;
  mean /= Math.max(1, n);
  const onHand = Math.round(mean * (3 + 40 * r()));
  return {
    today: TODAY,
    item: {
      id: `i${seed}`,
      code: `ITEM${seed}`,
      nameZh: '纱布',
      nameEn: 'Gauze',
      ved: 'E',
      abc: 'B',
      unitCost: 1 + 20 * r(),
      baseUnit: '片',
    },
    location: { id: 'l1', name: '中心库房', siteName: '总院' },
    history,
    historyStartDate: addDays(TODAY, -n),
    balance: Array(n).fill(onHand),
    stockoutDays,
    excludedDays,
    planned: Array(90).fill(0),
    onHand,
    inTransit: v.arrivals ? Math.round(mean * 10) : 0,
    arrivals: v.arrivals ? [{ day: 3 + Math.floor(r() * 10), quantity: Math.round(mean * 10) }] : [],
    lots: [{ lotNumber: 'L1', expiryDate: addDays(TODAY, 30 + Math.floor(r() * 300)), onHand }],
    leadTimes: { observedDays: [5, 7, 9, 6, 8].map((x) => x + Math.floor(r() * 4)), nominalDays: 7 },
    supplier: { id: 's1', name: 'Supplier', packSize: 10, moqPacks: 1, packPrice: 10 },
    parMax: null,
    parMin: null,
    typicalMonthlyUsage: null,
    prior: v.prior ?? null,
    lastIssueDaysAgo: 1,
    pendingAnomalies: [],
    latePurchaseOrders: [],
    substitutesInStock: [],
    transferSource: null,
  };
}

const outlookInputOf = (i: EngineInput): OutlookInput =>
  engineOutlookInput(i, DEFAULT_ENGINE_SETTINGS.horizonDays);

/** Everything computeItemLocation and the outlook behind it produce, as plain JSON. */
export function fullOutput(i: EngineInput): unknown {
  const p = computeItemLocation(i, DEFAULT_ENGINE_SETTINGS, forecastOutlook);
  const o = forecastOutlook(outlookInputOf(i));
  const windows = [1, 7, 14, 30, 90].map((d) => {
    const t = o.total(0, d);
    return { d, mean: t.mean, sd: t.sd, label: t.label, q: [0.5, 0.8, 0.95, 0.99].map((x) => t.quantile(x)) };
  });
  return { policy: p, outlook: { ...o, total: undefined, periods: o.periods, windows } };
}

export function dumpCases(seed = 0): Array<{ name: string; input: EngineInput }> {
  const cases: Array<{ name: string; input: EngineInput }> = [];
  const add = (kind: Kind, count: number, v: Variant, tag: string) => {
    for (let k = 0; k < count; k++) {
      cases.push({
        name: `${kind}/${tag}/${k}`,
        input: engineInput(kind, 1000 * cases.length + 17 + seed, v),
      });
    }
  };
  for (const kind of ['smooth', 'seasonal', 'intermittent'] as const) {
    add(kind, 50, {}, 'plain');
    add(kind, 15, { stockouts: true, arrivals: true }, 'stockouts');
    add(kind, 10, { excluded: true }, 'excluded');
  }
  add('monthly', 30, {}, 'plain');
  add('monthly', 10, { stockouts: true }, 'stockouts');
  add('weekly', 15, {}, 'plain');
  add('short', 20, {}, 'plain');
  add('short', 15, { prior: { dailyRate: 12, weightDays: 56, source: 'pooled' } }, 'prior');
  return cases;
}

function cpuMicros(f: () => void, calls: number): number {
  const c0 = process.cpuUsage();
  for (let k = 0; k < calls; k++) f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / calls;
}

function main() {
  const args = process.argv.slice(2);
  const dumpAt = args.indexOf('--dump');
  if (dumpAt >= 0) {
    const file = args[dumpAt + 1]!;
    const seedAt = args.indexOf('--seed');
    const out = dumpCases(seedAt >= 0 ? Number(args[seedAt + 1]) : 0).map((c) => ({
      name: c.name,
      out: fullOutput(c.input),
    }));
    writeFileSync(file, JSON.stringify(out));
    console.log(`wrote ${out.length} series to ${file}`);
    return;
  }
  const nAt = args.indexOf('--series');
  const perKind = nAt >= 0 ? Number(args[nAt + 1]) : 40;
  const kindAt = args.indexOf('--kind');
  const all = ['smooth', 'seasonal', 'intermittent', 'monthly'] as const;
  const kinds = kindAt >= 0 ? all.filter((k) => k === args[kindAt + 1]) : all;
  console.log(`${perKind} series per kind, CPU µs per series (best of 7 rounds: the machine is shared)`);
  console.log('kind          days  computeItemLocation  forecastOutlook+periods  refit (previousChoice)');
  for (const kind of kinds) {
    const inputs = Array.from({ length: perKind }, (_, k) => engineInput(kind, 7919 * (k + 1)));
    // Warm up the JIT on this kind.
    for (const i of inputs) computeItemLocation(i, DEFAULT_ENGINE_SETTINGS, forecastOutlook);
    const med = (f: () => void) => {
      const xs: number[] = [];
      for (let r = 0; r < 7; r++) xs.push(cpuMicros(f, 1) / inputs.length);
      xs.sort((a, b) => a - b);
      return xs[0]!;
    };
    const engine = med(() => {
      for (const i of inputs) computeItemLocation(i, DEFAULT_ENGINE_SETTINGS, forecastOutlook);
    });
    const outlook = med(() => {
      for (const i of inputs) forecastOutlook(outlookInputOf(i)).periods;
    });
    // A refit: the same series with the choice the first run stored.
    const refitInputs = inputs.map((i): EngineInput => {
      const p = computeItemLocation(i, DEFAULT_ENGINE_SETTINGS, forecastOutlook);
      return {
        ...i,
        previousChoice: p.model && p.family ? { model: p.model, family: p.family, grain: p.grain } : null,
      };
    });
    const refit = med(() => {
      for (const i of refitInputs) computeItemLocation(i, DEFAULT_ENGINE_SETTINGS, forecastOutlook);
    });
    console.log(
      `${kind.padEnd(12)} ${String(inputs[0]!.history.length).padStart(5)}  ${engine.toFixed(0).padStart(19)}  ${outlook
        .toFixed(0)
        .padStart(23)}  ${refit.toFixed(0).padStart(22)}`,
    );
  }
}

// Run only as a script: the tests import the series generators.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
