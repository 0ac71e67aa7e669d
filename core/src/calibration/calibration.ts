/**
 * Recalibration of stockout probabilities from an organisation's own backtest (issue 9 §3): fitted to
 * (p, outcome) pairs of scored rows (stock > 0 at the as-of date, outcome known), JSON-serialisable so
 * the worker can store it, applied with applyCalibration.
 *
 * - isotonic: pool-adjacent-violators on p sorted ascending; applied by linear interpolation between
 *   the pooled blocks' mean p (flat beyond the ends), so it is monotone and never reorders rows.
 * - logistic (Platt on logit p): q = σ(a·logit(p) + b), Newton–Raphson; smooth, for smaller samples.
 * - auto: the one with the lower 5-fold cross-validated Brier score.
 *
 * Minimum evidence: MIN_CALIBRATION_ROWS (300) scored rows with at least MIN_CALIBRATION_POSITIVES
 * (30) stock-outs and as many non-stock-outs; below that fitCalibration returns null and the raw
 * probabilities stand. 30 events keep the standard error of a pooled block's rate near ±0.05–0.08.
 */
export const MIN_CALIBRATION_ROWS = 300;
export const MIN_CALIBRATION_POSITIVES = 30;

export type CalibrationMethod = 'isotonic' | 'logistic';

interface CalibrationBase {
  readonly version: 1;
  readonly method: CalibrationMethod;
  /** Evidence it was fitted on. */
  readonly rows: number;
  readonly positives: number;
  /** In-sample Brier score before and after (on the fitting rows). */
  readonly brierBefore: number;
  readonly brierAfter: number;
  /** Free-form provenance set by the caller (e.g. backtest id, horizon, period). */
  readonly fittedOn?: { readonly from?: string; readonly to?: string; readonly horizonDays?: number };
}

export interface IsotonicCalibration extends CalibrationBase {
  readonly method: 'isotonic';
  /** Block mean raw p (ascending) and the fitted rate at each (non-decreasing). */
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export interface LogisticCalibration extends CalibrationBase {
  readonly method: 'logistic';
  readonly a: number;
  readonly b: number;
}

export type Calibration = IsotonicCalibration | LogisticCalibration;

export interface CalibrationPair {
  readonly p: number;
  readonly outcome: boolean;
}

export interface FitCalibrationOptions {
  readonly method?: CalibrationMethod | 'auto';
  readonly minRows?: number;
  readonly minPositives?: number;
  readonly fittedOn?: CalibrationBase['fittedOn'];
}

export function fitCalibration(
  pairs: readonly CalibrationPair[],
  options: FitCalibrationOptions = {},
): Calibration | null {
  const data = pairs.filter((d) => Number.isFinite(d.p) && d.p >= 0 && d.p <= 1);
  const positives = data.filter((d) => d.outcome).length;
  const minRows = options.minRows ?? MIN_CALIBRATION_ROWS;
  const minPos = options.minPositives ?? MIN_CALIBRATION_POSITIVES;
  if (data.length < minRows || positives < minPos || data.length - positives < minPos) return null;
  let method = options.method ?? 'isotonic';
  if (method === 'auto') method = crossValidatedChoice(data);
  const brierBefore = brier(data, (p) => p);
  const fitted = method === 'isotonic' ? fitIsotonic(data) : fitLogistic(data);
  const brierAfter = brier(data, (p) => apply(fitted, p));
  const base = {
    version: 1 as const,
    rows: data.length,
    positives,
    brierBefore,
    brierAfter,
    ...(options.fittedOn ? { fittedOn: options.fittedOn } : {}),
  };
  return fitted.method === 'isotonic'
    ? { ...base, method: 'isotonic', x: fitted.x, y: fitted.y }
    : { ...base, method: 'logistic', a: fitted.a, b: fitted.b };
}

/**
 * Calibrated probability. null stays null (unknown is never made a number). A computed p of 1 is a
 * model output like any other and is mapped too (the evaluation saw "p ≈ 1" come true a quarter of
 * the time); keeping "already out" at 1 is the caller's job (stockoutRisk only maps computed values,
 * recalibrateOnline only rows with stock on hand).
 */
export function applyCalibration(cal: Calibration | null | undefined, p: number | null): number | null {
  if (p === null || !Number.isFinite(p)) return null;
  if (!cal) return p;
  return Math.min(1, Math.max(0, apply(cal, p)));
}

/** Short label for explanations. */
export function calibrationLabel(cal: Calibration): { zh: string; en: string } {
  const m =
    cal.method === 'isotonic' ? { en: 'isotonic', zh: '保序回归' } : { en: 'logistic', zh: '逻辑回归' };
  return {
    en: `${m.en}, fitted on ${cal.rows} backtest rows (${cal.positives} stock-outs)`,
    zh: `${m.zh}，基于 ${cal.rows} 条回测记录（${cal.positives} 次缺货）拟合`,
  };
}

type Fitted = { method: 'isotonic'; x: number[]; y: number[] } | { method: 'logistic'; a: number; b: number };

function apply(cal: Fitted | Calibration, p: number): number {
  if (cal.method === 'logistic') {
    const z = cal.a * logit(p) + cal.b;
    return 1 / (1 + Math.exp(-z));
  }
  const { x, y } = cal;
  if (x.length === 0) return p;
  if (p <= x[0]!) return y[0]!;
  if (p >= x[x.length - 1]!) return y[y.length - 1]!;
  let lo = 0;
  let hi = x.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (x[mid]! <= p) lo = mid;
    else hi = mid;
  }
  const t = x[hi]! > x[lo]! ? (p - x[lo]!) / (x[hi]! - x[lo]!) : 0;
  return y[lo]! + t * (y[hi]! - y[lo]!);
}

/**
 * Weighted pool-adjacent-violators: the non-decreasing fit minimising Σ w·(y − fit)², as blocks with
 * their weighted mean x, fitted y and total weight. Input x must be ascending.
 */
export function poolAdjacentViolators(
  xs: readonly number[],
  ys: readonly number[],
  ws: readonly number[] = xs.map(() => 1),
): { x: number[]; y: number[]; w: number[] } {
  const bx: number[] = [];
  const by: number[] = [];
  const bw: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    bx.push(xs[i]!);
    by.push(ys[i]!);
    bw.push(ws[i]!);
    while (by.length > 1 && by[by.length - 2]! >= by[by.length - 1]!) {
      const w1 = bw.pop()!;
      const y1 = by.pop()!;
      const x1 = bx.pop()!;
      const w0 = bw[bw.length - 1]!;
      const w = w0 + w1;
      by[by.length - 1] = (by[by.length - 1]! * w0 + y1 * w1) / w;
      bx[bx.length - 1] = (bx[bx.length - 1]! * w0 + x1 * w1) / w;
      bw[bw.length - 1] = w;
    }
  }
  return { x: bx, y: by, w: bw };
}

function fitIsotonic(data: readonly CalibrationPair[]): Fitted {
  // Ties in p are merged first so one p never maps to two values.
  const groups = new Map<number, { n: number; s: number }>();
  for (const d of data) {
    const g = groups.get(d.p) ?? { n: 0, s: 0 };
    g.n++;
    g.s += d.outcome ? 1 : 0;
    groups.set(d.p, g);
  }
  const ps = [...groups.keys()].sort((a, b) => a - b);
  const pav = poolAdjacentViolators(
    ps,
    ps.map((p) => groups.get(p)!.s / groups.get(p)!.n),
    ps.map((p) => groups.get(p)!.n),
  );
  return { method: 'isotonic', x: pav.x, y: pav.y };
}

const EPS = 1e-6;
function logit(p: number): number {
  const q = Math.min(1 - EPS, Math.max(EPS, p));
  return Math.log(q / (1 - q));
}

function fitLogistic(data: readonly CalibrationPair[]): Fitted {
  let a = 1;
  let b = 0;
  const z = data.map((d) => logit(d.p));
  for (let it = 0; it < 50; it++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-9;
    let hab = 0;
    let hbb = 1e-9;
    for (let i = 0; i < data.length; i++) {
      const q = 1 / (1 + Math.exp(-(a * z[i]! + b)));
      const r = (data[i]!.outcome ? 1 : 0) - q;
      const w = q * (1 - q);
      ga += r * z[i]!;
      gb += r;
      haa += w * z[i]! * z[i]!;
      hab += w * z[i]!;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    a += da;
    b += db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { method: 'logistic', a, b };
}

function brier(data: readonly CalibrationPair[], f: (p: number) => number): number {
  let s = 0;
  for (const d of data) s += (f(d.p) - (d.outcome ? 1 : 0)) ** 2;
  return s / data.length;
}

function crossValidatedChoice(data: readonly CalibrationPair[]): CalibrationMethod {
  const k = 5;
  const score = { isotonic: 0, logistic: 0 };
  for (let fold = 0; fold < k; fold++) {
    const train = data.filter((_, i) => i % k !== fold);
    const test = data.filter((_, i) => i % k === fold);
    for (const m of ['isotonic', 'logistic'] as const) {
      const fit = m === 'isotonic' ? fitIsotonic(train) : fitLogistic(train);
      score[m] += brier(test, (p) => apply(fit, p)) * test.length;
    }
  }
  return score.logistic < score.isotonic ? 'logistic' : 'isotonic';
}
