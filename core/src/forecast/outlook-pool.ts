/**
 * The point-model pool behind forecastOutlook, built for speed: every candidate is one O(m) pass
 * over the period series that records its state after each period, so the forecast it would have
 * made at any past origin is read off an array instead of refitting. A rolling-origin backtest of
 * the whole pool on a 48-month or a 730-day series therefore costs microseconds, and can be run
 * afresh at every as-of date.
 *
 * Conventions: `y` holds one value per period (stock-out adjusted, NaN = missing), oldest first.
 * `level[t]` (length m + 1) is the candidate's flat forecast made after seeing y[0..t−1]; a seasonal
 * candidate multiplies it by its index `season[t + h]` for the period t + h ahead.
 */

export interface Candidate {
  readonly name: string;
  /** level[t]: forecast made with y[0..t−1]; NaN before there is any observation. */
  readonly level: Float64Array;
  /** Multiplicative index per period (history and future), or null. */
  readonly season: Float64Array | null;
  /** Prefix sums of `season` (cum[t] = Σ season[0..t−1]), for O(1) window sums. */
  readonly cum: Float64Array | null;
  /**
   * A seasonal candidate refitted along the history (PoolOptions.seasonRefits): block b's index was
   * fitted on y[0..from−1] and serves the origins from `from` to the next block's (the first block
   * also serves earlier ones); `level` holds, at each origin, the level of the pass over the series
   * deseasonalised by that origin's block; `season`/`cum` are the last block's. Absent: one index.
   */
  readonly blocks?: readonly SeasonBlock[];
}

export interface SeasonBlock {
  readonly from: number;
  readonly season: Float64Array;
  readonly cum: Float64Array;
}

/** The seasonal index (and its prefix sums) candidate c uses at origin o. */
function seasonAt(c: Candidate, o: number): { season: Float64Array | null; cum: Float64Array | null } {
  const bl = c.blocks;
  if (!bl || bl.length === 0) return c;
  let b = 0;
  while (b + 1 < bl.length && bl[b + 1]!.from <= o) b++;
  return bl[b]!;
}

/** Sum of candidate c's forecasts made at origin o for periods o .. o + k − 1. */
export function sumAt(c: Candidate, o: number, k: number): number {
  const l = c.level[o]!;
  if (!(l > 0)) return 0;
  const { season, cum } = seasonAt(c, o);
  if (!cum) return l * k;
  const last = cum.length - 1;
  const b = o + k;
  if (b <= last) return l * (cum[b]! - cum[o]!);
  // Beyond the index array: the last index repeats.
  return l * (cum[last]! - cum[Math.min(o, last)]! + (b - Math.max(o, last)) * season![last - 1]!);
}

/** Sum of a choice's forecasts made at origin o for periods o .. o + k − 1. */
export function choiceSumAt(c: PointChoice, o: number, k: number): number {
  let s = 0;
  for (const m of c.members) s += sumAt(m, o, k);
  return s / c.members.length;
}

function prefix(season: Float64Array | null): Float64Array | null {
  if (!season) return null;
  const cum = new Float64Array(season.length + 1);
  for (let t = 0; t < season.length; t++) cum[t + 1] = cum[t]! + season[t]!;
  return cum;
}

/** Forecast of candidate c made at origin o (periods 0..o−1 known) for period o + h. */
export function forecastAt(c: Candidate, o: number, h: number): number {
  const l = c.level[o]!;
  if (!Number.isFinite(l)) return 0;
  const { season } = seasonAt(c, o);
  const s = season ? season[Math.min(o + h, season.length - 1)]! : 1;
  return Math.max(0, l * s);
}

/** Smoothing weight that starts as a running mean (1/k) and settles at alpha: no arbitrary first value. */
const gain = (alpha: number, k: number) => (1 / k > alpha ? 1 / k : alpha);

function deseason(y: Float64Array, season: Float64Array | null): Float64Array {
  if (!season) return y;
  const out = new Float64Array(y.length);
  for (let t = 0; t < y.length; t++) out[t] = season[t]! > 0 ? y[t]! / season[t]! : Number.NaN;
  return out;
}

/**
 * The level array of a pass over y: new, or `into` (length ≥ y.length + 1; the pass writes
 * [0, y.length]) so a refitted candidate's blocks can be written straight into one array.
 */
function levelsArray(y: Float64Array, into?: Float64Array): Float64Array {
  if (!into) return new Float64Array(y.length + 1).fill(Number.NaN);
  into[0] = Number.NaN;
  return into;
}

export function naiveLevels(y: Float64Array): Float64Array {
  const L = new Float64Array(y.length + 1).fill(Number.NaN);
  let last = Number.NaN;
  for (let t = 0; t < y.length; t++) {
    if (!Number.isNaN(y[t]!)) last = y[t]!;
    L[t + 1] = last;
  }
  return L;
}

/** Mean of the last w observed values. */
export function maLevels(y: Float64Array, w: number, into?: Float64Array): Float64Array {
  const L = levelsArray(y, into);
  const ring = new Float64Array(w);
  let count = 0;
  let sum = 0;
  let pos = 0;
  for (let t = 0; t < y.length; t++) {
    const x = y[t]!;
    if (!Number.isNaN(x)) {
      if (count === w) sum -= ring[pos]!;
      else count++;
      ring[pos] = x;
      sum += x;
      pos = (pos + 1) % w;
    }
    L[t + 1] = count > 0 ? sum / count : Number.NaN;
  }
  return L;
}

/** SES whose first 1/α updates are a running mean (so the start is the mean of the first values). */
export function sesLevels(y: Float64Array, alpha: number, into?: Float64Array): Float64Array {
  const L = levelsArray(y, into);
  let level = 0;
  let k = 0;
  // gain(alpha, k) once 1/k ≤ alpha stays alpha (1/k only falls): no division after that.
  let settled = false;
  for (let t = 0; t < y.length; t++) {
    const x = y[t]!;
    if (!Number.isNaN(x)) {
      k++;
      let g = alpha;
      if (!settled) {
        g = gain(alpha, k);
        settled = g === alpha && !(1 / k > alpha);
      }
      level += g * (x - level);
    }
    L[t + 1] = k > 0 ? level : Number.NaN;
  }
  return L;
}

/**
 * Croston (factor 1) or SBA (factor 1 − α/2). Sizes and intervals start as running means and the
 * interval in the forecast is never shorter than the run of empty periods since the last demand
 * (q + 1): without that floor a single early demand (interval 1) is forecast at its full size every
 * period forever — one issue of 5 units read as 5 a month for years.
 */
export function crostonLevels(y: Float64Array, alpha: number, factor: number | 'interval'): Float64Array {
  const L = new Float64Array(y.length + 1).fill(Number.NaN);
  let size = 0;
  let interval = 0;
  let q = 0;
  let k = 0;
  let seen = false;
  for (let t = 0; t < y.length; t++) {
    const x = y[t]!;
    if (!Number.isNaN(x)) {
      seen = true;
      q++;
      if (x > 0) {
        k++;
        const g = gain(alpha, k);
        size += g * (x - size);
        interval += g * (q - interval);
        q = 0;
      }
    }
    if (!seen) continue;
    const p = Math.max(interval, q + 1);
    // 'interval': Syntetos–Boylan's correction scaled by the share of empty periods, 1 − α/2·(1 − 1/p):
    // none when demand comes every period (Croston is then SES of the sizes, unbiased), α/2 when
    // demand is rare.
    const f = factor === 'interval' ? 1 - (alpha / 2) * (1 - 1 / p) : factor;
    L[t + 1] = k > 0 ? (f * size) / p : 0;
  }
  return L;
}

/** TSB: demand probability updated every observed period, size on demand; both start as running means. */
export function tsbLevels(y: Float64Array, alpha: number, beta: number): Float64Array {
  const L = new Float64Array(y.length + 1).fill(Number.NaN);
  let prob = 0;
  let size = 0;
  let n = 0;
  let k = 0;
  for (let t = 0; t < y.length; t++) {
    const x = y[t]!;
    if (!Number.isNaN(x)) {
      n++;
      prob += gain(beta, n) * ((x > 0 ? 1 : 0) - prob);
      if (x > 0) {
        k++;
        size += gain(alpha, k) * (x - size);
      }
    }
    L[t + 1] = n > 0 ? prob * size : Number.NaN;
  }
  return L;
}

/**
 * Multiplicative weekday index from the last `window` observed days: mean per weekday position ÷
 * overall mean, shrunk towards 1 by 4 pseudo-observations. Position j of the output array is day j
 * (history and future), so index[t] is the factor for day t.
 */
export function weekdayIndex(y: Float64Array, total: number, window = 364): Float64Array {
  const sums = new Float64Array(7);
  const counts = new Float64Array(7);
  for (let t = Math.max(0, y.length - window); t < y.length; t++) {
    const x = y[t]!;
    if (Number.isNaN(x)) continue;
    sums[t % 7]! += x;
    counts[t % 7]! += 1;
  }
  let all = 0;
  let n = 0;
  for (let j = 0; j < 7; j++) {
    all += sums[j]!;
    n += counts[j]!;
  }
  const mean = n > 0 ? all / n : 0;
  const idx = new Float64Array(7).fill(1);
  if (mean > 0)
    for (let j = 0; j < 7; j++) {
      const raw = counts[j]! > 0 ? sums[j]! / counts[j]! / mean : 1;
      idx[j] = (counts[j]! * raw + 4) / (counts[j]! + 4);
    }
  // Renormalise so the indices average 1.
  let s = 0;
  for (let j = 0; j < 7; j++) s += idx[j]!;
  const out = new Float64Array(total);
  for (let t = 0; t < total; t++) out[t] = (idx[t % 7]! * 7) / s;
  return out;
}

/**
 * sin(kωt), cos(kωt) for k = 1..K, ω = 2π/P, t = 0..n−1, as [sin 1, cos 1, sin 2, cos 2, …] per t:
 * by rotation (no trig per row), the same recurrence for every t so every fit of a series and the
 * index evaluation read the same values; computed once per series instead of once per fit.
 */
export function fourierBasis(P: number, K: number, n: number): Float64Array {
  // Every series of a run asks for the same few (P, K): a longer basis already made holds this
  // one as its prefix (the recurrence does not depend on n).
  const key = `${P}/${K}`;
  const known = basisCache.get(key);
  if (known && known.length >= n * 2 * K) return known.subarray(0, n * 2 * K);
  const out = new Float64Array(n * 2 * K);
  const cw = Math.cos((2 * Math.PI) / P);
  const sw = Math.sin((2 * Math.PI) / P);
  let c1 = 1;
  let s1 = 0;
  for (let t = 0, i = 0; t < n; t++) {
    let ck = c1;
    let sk = s1;
    for (let k = 1; k <= K; k++, i += 2) {
      out[i] = sk;
      out[i + 1] = ck;
      const nc = ck * c1 - sk * s1;
      sk = sk * c1 + ck * s1;
      ck = nc;
    }
    const nc1 = c1 * cw - s1 * sw;
    s1 = s1 * cw + c1 * sw;
    c1 = nc1;
  }
  basisCache.set(key, out);
  return out;
}

const basisCache = new Map<string, Float64Array>();

/**
 * Multiplicative yearly index by Fourier regression (K harmonics of period P) of each value's
 * ratio to a centred one-year moving mean, on y[0..fitTo−1]; evaluated for positions 0..total−1,
 * floored at 0.1. Null when fitTo holds fewer than two full seasons or the regression fails.
 */
export function yearlyIndex(
  y: Float64Array,
  P: number,
  K: number,
  fitTo: number,
  total: number,
): Float64Array | null {
  return yearlyIndices(y, P, K, [fitTo], total)[0]!;
}

/**
 * yearlyIndex for several fit points of one series at once, in one pass. The regression weights
 * halve every two years back from the fit point, w_f(t) = 0.5^((f − 1 − t)/2P) = 0.5^((f − 1)/2P) ·
 * 0.5^(−t/2P), so the weighted sums of points whose centred mean the fit point does not cut
 * (t < f − P/2) are shared by all fit points and scaled; only the last half-year before each fit
 * point is summed for it alone. The normal equations need Σw·cos(jωt) and Σw·sin(jωt) for
 * j ≤ 2K only (products of harmonics are sums of harmonics: sin a·sin b = ½(cos(a−b) − cos(a+b)),
 * …), 4K + 1 sums instead of (2K + 1)(2K + 2)/2 products per point. Same maths as one fit per
 * point; the sums are ordered differently, so indices agree with a separate fit to ~1e-13. With
 * `reach`, the index of each fit point but the last is evaluated only up to `reach` positions past
 * the next fit point and NaN beyond (see PoolOptions.seasonReach).
 */
export function yearlyIndices(
  y: Float64Array,
  P: number,
  K: number,
  fits: readonly number[],
  total: number,
  reach?: number,
): (Float64Array | null)[] {
  const out: (Float64Array | null)[] = fits.map(() => null);
  const order = fits
    .map((f, i) => ({ f, i }))
    .filter((x) => x.f >= 2 * P)
    .sort((a, b) => a.f - b.f);
  if (order.length === 0) return out;
  const J = 2 * K;
  const nMax = order[order.length - 1]!.f;
  const basis = fourierBasis(P, J, Math.max(nMax, total));
  const w = Math.round(P);
  const half = Math.floor(w / 2);
  const cs = new Float64Array(nMax + 1);
  const cn = new Float64Array(nMax + 1);
  for (let t = 0; t < nMax; t++) {
    const ok = !Number.isNaN(y[t]!);
    cs[t + 1] = cs[t]! + (ok ? y[t]! : 0);
    cn[t + 1] = cn[t]! + (ok ? 1 : 0);
  }
  const decay = 0.5 ** (1 / (2 * P));
  // Sums: [0] Σw, [2j − 1] Σw·sin jωt, [2j] Σw·cos jωt (j ≤ 2K); then Σw·r·row_u (u ≤ 2K).
  const nS = 2 * J + 1;
  const p = 2 * K + 1;
  const shared = new Float64Array(nS + p);
  const sums = new Float64Array(nS + p);
  /** Adds point t with ratio r and weight beta to acc (one pass over its basis row for both sums). */
  const addPoint = (acc: Float64Array, t: number, r: number, beta: number) => {
    const i0 = t * 2 * J;
    const br = beta * r;
    acc[0] = acc[0]! + beta;
    acc[nS] = acc[nS]! + br;
    for (let i = 0; i < 2 * K; i++) {
      const b = basis[i0 + i]!;
      acc[1 + i] = acc[1 + i]! + beta * b;
      acc[nS + 1 + i] = acc[nS + 1 + i]! + br * b;
    }
    for (let i = 2 * K; i < 2 * J; i++) acc[1 + i] = acc[1 + i]! + beta * basis[i0 + i]!;
  };
  const ratio = (t: number, fitTo: number) => {
    const x = y[t]!;
    const a = Math.max(0, t - half);
    const b = Math.min(fitTo, t + half + 1);
    const c = cn[b]! - cn[a]!;
    const lvl = c > 0 ? (cs[b]! - cs[a]!) / c : 0;
    return !Number.isNaN(x) && lvl > 0 ? x / lvl : Number.NaN;
  };
  let t0 = 0;
  let beta0 = 1;
  let sharedUsed = 0;
  const A = new Float64Array(p * p);
  for (let at = 0; at < order.length; at++) {
    const { f, i } = order[at]!;
    // Points whose centred window the fit point does not cut: shared.
    const cut = Math.max(0, f - half);
    for (; t0 < cut; t0++, beta0 /= decay) {
      const r = ratio(t0, nMax);
      if (!Number.isNaN(r)) {
        addPoint(shared, t0, r, beta0);
        sharedUsed++;
      }
    }
    sums.set(shared);
    let used = sharedUsed;
    let beta = beta0;
    for (let t = cut; t < f; t++, beta /= decay) {
      const r = ratio(t, f);
      if (!Number.isNaN(r)) {
        addPoint(sums, t, r, beta);
        used++;
      }
    }
    if (used < 2 * K + 4) continue;
    const scale = 0.5 ** ((f - 1) / (2 * P));
    const C = (j: number) => (j === 0 ? sums[0]! : sums[2 * j]!) * scale;
    const S = (j: number) => (j === 0 ? 0 : j > 0 ? sums[2 * j - 1]! : -sums[-2 * j - 1]!) * scale;
    // Normal equations from the harmonic sums; row = [1, sin 1, cos 1, …, sin K, cos K].
    A[0] = C(0);
    for (let k = 1; k <= K; k++) {
      A[2 * k - 1] = S(k);
      A[2 * k] = C(k);
      for (let l = k; l <= K; l++) {
        const d = Math.abs(k - l);
        A[(2 * k - 1) * p + 2 * l - 1] = (C(d) - C(k + l)) / 2;
        A[(2 * k - 1) * p + 2 * l] = (S(k + l) + S(k - l)) / 2;
        A[2 * k * p + 2 * l] = (C(d) + C(k + l)) / 2;
        if (l > k) A[2 * k * p + 2 * l - 1] = (S(k + l) + S(l - k)) / 2;
      }
    }
    const rows: number[][] = [];
    for (let u = 0; u < p; u++) {
      const r: number[] = [];
      for (let v = 0; v < p; v++) r.push(v >= u ? A[u * p + v]! : A[v * p + u]!);
      rows.push(r);
    }
    const bvec = Array.from(sums.subarray(nS, nS + p), (v) => v * scale);
    const coef = solveLinear(rows, bvec);
    if (!coef) continue;
    const idx = new Float64Array(total);
    // An index whose block ends at the next fit point is read at most `reach` past it.
    const next = at + 1 < order.length ? order[at + 1]!.f : Number.POSITIVE_INFINITY;
    const to = reach === undefined ? total : Math.min(total, next + reach);
    if (to < total) idx.fill(Number.NaN, to);
    const cf = Float64Array.from(coef);
    for (let t = 0; t < to; t++) {
      let v = 1;
      for (let k = 1, q = t * 2 * J; k <= K; k++, q += 2)
        v += cf[2 * k - 1]! * basis[q]! + cf[2 * k]! * basis[q + 1]!;
      idx[t] = Math.max(0.1, v);
    }
    out[i] = idx;
  }
  return out;
}

/** Gaussian elimination with partial pivoting; null when singular. */
function solveLinear(A: number[][], b: number[]): number[] | null {
  const p = b.length;
  const M = A.map((r, i) => [...r, b[i]!]);
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r;
    if (Math.abs(M[piv]![c]!) < 1e-12) return null;
    [M[c], M[piv]] = [M[piv]!, M[c]!];
    for (let r = c + 1; r < p; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      const Mr = M[r]!;
      const Mc = M[c]!;
      for (let k = c; k <= p; k++) Mr[k] = Mr[k]! - f * Mc[k]!;
    }
  }
  const x = new Array<number>(p).fill(0);
  for (let r = p - 1; r >= 0; r--) {
    let s = M[r]![p]!;
    for (let k = r + 1; k < p; k++) s -= M[r]![k]! * x[k]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}

function multiply(a: Float64Array | null, b: Float64Array | null): Float64Array | null {
  if (!a) return b;
  if (!b) return a;
  const out = new Float64Array(a.length);
  for (let t = 0; t < a.length; t++) out[t] = a[t]! * b[t]!;
  return out;
}

/** Name of the period-series default candidate (see buildPool). */
export const COMBO = 'mean(ses(0.2),ma12,sba)';

/** Equal-weight mean of level arrays; NaN where any member has no forecast yet. */
export function combineLevels(levels: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(levels[0]!.length);
  for (let t = 0; t < out.length; t++) {
    let s = 0;
    for (const l of levels) s += l[t]!;
    out[t] = s / levels.length;
  }
  return out;
}

export interface PoolOptions {
  /** 'daily' adds weekday (and yearly) variants tuned for day-level noise. */
  readonly daily: boolean;
  /** Periods per year (12 monthly, 365.25/7 weekly, 365.25 daily); 0 = no yearly season. */
  readonly periodsPerYear: number;
  /** Series length the indices are evaluated for (history + horizon). */
  readonly total: number;
  /** Seasonal indices are fitted on y[0..seasonFitTo−1] (data before the first scored origin). */
  readonly seasonFitTo: number;
  /**
   * Instead of one fit: ascending fit points; the indices fitted on y[0..f−1] serve the origins from
   * f to the next point, so no scored origin uses an index much older than the gap between points,
   * and a last point at the series' end gives the forecast itself.
   */
  readonly seasonRefits?: readonly number[];
  /**
   * With seasonRefits: the longest window (periods) a backtest sums a forecast over. An index other
   * than the last serves origins before the next fit point only, so it is evaluated that far past
   * that point and NaN beyond (a read past it would show as NaN, never as a wrong figure).
   */
  readonly seasonReach?: number;
}

/**
 * Builds every candidate of the pool for a period series, or only those named in `only` (a warm
 * start refitting a stored choice): each is built exactly as in the whole pool, so its levels are
 * the same; a name the pool of this grain and length does not hold is simply absent.
 */
export function buildPool(y: Float64Array, o: PoolOptions, only?: ReadonlySet<string>): Candidate[] {
  const out: Candidate[] = [];
  const cums = new Map<Float64Array, Float64Array | null>();
  const wanted = (name: string) => !only || only.has(name);
  const add = (name: string, level: () => Float64Array, season: Float64Array | null = null) => {
    if (!wanted(name)) return;
    if (season && !cums.has(season)) cums.set(season, prefix(season));
    out.push({ name, level: level(), season, cum: season ? cums.get(season)! : null });
  };
  add('naive', () => naiveLevels(y));
  add('ma3', () => maLevels(y, 3));
  add('ma6', () => maLevels(y, 6));
  add('ma12', () => maLevels(y, 12));
  if (o.daily) {
    add('ma28', () => maLevels(y, 28));
    add('ses(0.05)', () => sesLevels(y, 0.05));
  } else {
    add('ses(0.1)', () => sesLevels(y, 0.1));
    add('ses(0.2)', () => sesLevels(y, 0.2));
    add('ses(0.3)', () => sesLevels(y, 0.3));
  }
  add('croston', () => crostonLevels(y, 0.1, 1));
  add('sba', () => crostonLevels(y, 0.1, 0.95));
  if (!o.daily) {
    // The period-series default: the equal-weight mean of a level smoother, a one-year window
    // mean and an intermittent-demand method. Each is right for some series (smooth, drifting,
    // sparse) and the backtest of a short sparse series cannot tell which; their mean is never
    // far from the best (chosen on carparts origins 15–27, before the benchmark's test window:
    // 0.798 mean RMSSE against 0.809 for SES(0.1) alone and 0.808 for MA12). Its SBA member scales
    // the correction by the share of empty periods, so a series with demand every period is not
    // shrunk by 5%.
    const built = (name: string, make: () => Float64Array) =>
      out.find((c) => c.name === name)?.level ?? make();
    add(COMBO, () =>
      combineLevels([
        built('ses(0.2)', () => sesLevels(y, 0.2)),
        built('ma12', () => maLevels(y, 12)),
        crostonLevels(y, 0.1, 'interval'),
      ]),
    );
  }
  add('tsb', () => tsbLevels(y, 0.1, o.daily ? 0.05 : 0.1));
  // Seasonal indices per fit point: one, or a refit every few origins (PoolOptions.seasonRefits).
  const fits = o.seasonRefits && o.seasonRefits.length > 0 ? o.seasonRefits : [o.seasonFitTo];
  const K = o.daily ? 5 : 3;
  // The yearly index is the costliest part of the pool: skipped when no yearly candidate is wanted.
  const yearlyWanted =
    !only || [...only].some((name) => name.includes('+yearly') || name.endsWith('+seasonal'));
  const yearlies =
    yearlyWanted && o.periodsPerYear > 0
      ? yearlyIndices(y, o.periodsPerYear, K, fits, o.total, o.seasonReach)
      : fits.map(() => null);
  const weeks = fits.map((f) => (o.daily && y.length >= 28 ? weekdayIndex(y.subarray(0, f), o.total) : null));
  const last = fits.length - 1;
  let ones: Float64Array | null = null;
  // Several passes share a seasonal index: the series deseasonalised by it is made once.
  const deseasoned = new Map<Float64Array | null, Float64Array>();
  const deseasonOnce = (season: Float64Array | null) => {
    let ys = deseasoned.get(season);
    if (!ys) {
      ys = deseason(y, season);
      deseasoned.set(season, ys);
    }
    return ys;
  };
  /** A seasonal candidate: `pass` over the series deseasonalised by each fit point's index. */
  const addSeasonal = (
    name: string,
    seasons: readonly (Float64Array | null)[],
    pass: (ys: Float64Array, into?: Float64Array) => Float64Array,
  ) => {
    if (!wanted(name)) return;
    if (fits.length === 1) {
      add(name, () => pass(deseasonOnce(seasons[0]!)), seasons[0]!);
      return;
    }
    const level = new Float64Array(y.length + 1).fill(Number.NaN);
    const blocks: SeasonBlock[] = [];
    for (let b = 0; b < fits.length; b++) {
      // A fit point with too little history for the index: the base model (index 1), as the
      // forecast at that origin would have been made.
      if (!seasons[b] && !ones) ones = new Float64Array(o.total).fill(1);
      const season = seasons[b] ?? ones!;
      if (!cums.has(season)) cums.set(season, prefix(season));
      blocks.push({ from: fits[b]!, season, cum: cums.get(season)! });
    }
    // Block b's levels are level[from_b .. to_b − 1], to_b = the next block's from. Passes are causal
    // (level[t] reads y[0..t−1]), so block b's pass needs y[0..to_b − 2] only and writes [0, to_b):
    // run last block first, each pass straight into `level`, and every block keeps its own range.
    for (let b = last; b >= 0; b--) {
      const to = b === last ? y.length + 1 : Math.min(y.length + 1, fits[b + 1]!);
      if (to < 1) continue;
      pass(deseasonOnce(blocks[b]!.season).subarray(0, to - 1), level);
    }
    out.push({ name, level, season: blocks[last]!.season, cum: blocks[last]!.cum, blocks });
  };
  if (o.daily) {
    if (weeks[last]) {
      addSeasonal('ses(0.02)+weekday', weeks, (ys, into) => sesLevels(ys, 0.02, into));
      addSeasonal('ses(0.05)+weekday', weeks, (ys, into) => sesLevels(ys, 0.05, into));
      addSeasonal('ses(0.1)+weekday', weeks, (ys, into) => sesLevels(ys, 0.1, into));
      addSeasonal('ma28+weekday', weeks, (ys, into) => maLevels(ys, 28, into));
    }
    if (yearlies[last]) {
      const both = fits.map((_, b) => multiply(weeks[b] ?? null, yearlies[b] ?? null));
      const label = weeks[last] ? '+weekday+yearly' : '+yearly';
      addSeasonal(`ses(0.02)${label}`, both, (ys, into) => sesLevels(ys, 0.02, into));
      addSeasonal(`ses(0.05)${label}`, both, (ys, into) => sesLevels(ys, 0.05, into));
      addSeasonal(`ses(0.1)${label}`, both, (ys, into) => sesLevels(ys, 0.1, into));
    }
  } else if (yearlies[last]) {
    addSeasonal('ses(0.1)+seasonal', yearlies, (ys, into) => sesLevels(ys, 0.1, into));
    addSeasonal('ma12+seasonal', yearlies, (ys, into) => maLevels(ys, 12, into));
  }
  return out;
}

export interface PointChoice {
  readonly name: string;
  /** The chosen candidates (one, or the members of an equal-weight mean). */
  readonly members: readonly Candidate[];
  /** Mean squared error at the scored origins (NaN when none). */
  readonly mse: number;
  /** Scored origins. */
  readonly origins: readonly number[];
}

/** Forecast of a choice made at origin o for period o + h. */
export function choiceAt(c: PointChoice, o: number, h: number): number {
  if (c.members.length === 1) return forecastAt(c.members[0]!, o, h);
  let s = 0;
  for (const m of c.members) s += forecastAt(m, o, h);
  return s / c.members.length;
}

/**
 * Forecasts of a choice made at origin o for periods o .. o + k − 1 (k ≤ buf.length), into buf:
 * choiceAt for each h, with the level and seasonal block looked up once per origin instead of
 * once per period (the backtest's inner loop; same arithmetic, so the same values).
 */
function fillForecasts(members: readonly Candidate[], o: number, k: number, buf: Float64Array): void {
  const c = members[0]!;
  fillOne(c, o, k, buf);
  if (members.length === 1) return;
  // A pair (the only multi-member choice the backtest scores): (f₀ + f₁) / 2, as choiceAt.
  const other = members[1]!;
  const l = other.level[o]!;
  const fin = Number.isFinite(l);
  const { season } = seasonAt(other, o);
  const last = season ? season.length - 1 : 0;
  for (let h = 0; h < k; h++) {
    const f = fin ? Math.max(0, l * (season ? season[Math.min(o + h, last)]! : 1)) : 0;
    buf[h] = (buf[h]! + f) / 2;
  }
}

function fillOne(c: Candidate, o: number, k: number, buf: Float64Array): void {
  const l = c.level[o]!;
  if (!Number.isFinite(l)) {
    buf.fill(0, 0, k);
    return;
  }
  const { season } = seasonAt(c, o);
  if (!season) {
    const f = Math.max(0, l * 1);
    buf.fill(f, 0, k);
    return;
  }
  const last = season.length - 1;
  for (let h = 0; h < k; h++) buf[h] = Math.max(0, l * season[Math.min(o + h, last)]!);
}

/** Per-origin mean squared error over the next H periods (NaN when the origin has no actual). */
function originErrors(
  y: Float64Array,
  origins: readonly number[],
  H: number,
  members: readonly Candidate[],
  buf: Float64Array = new Float64Array(H),
): Float64Array {
  const out = new Float64Array(origins.length);
  for (let i = 0; i < origins.length; i++) {
    const o = origins[i]!;
    const k = Math.max(0, Math.min(H, y.length - o));
    fillForecasts(members, o, k, buf);
    let s = 0;
    let n = 0;
    for (let h = 0; h < k; h++) {
      const a = y[o + h]!;
      if (Number.isNaN(a)) continue;
      const e = a - buf[h]!;
      s += e * e;
      n++;
    }
    out[i] = n > 0 ? s / n : Number.NaN;
  }
  return out;
}

function meanOf(xs: Float64Array): number {
  let s = 0;
  let n = 0;
  for (const x of xs)
    if (!Number.isNaN(x)) {
      s += x;
      n++;
    }
  return n > 0 ? s / n : Number.NaN;
}

/**
 * Evidence that `c` beats the default: paired per-origin differences of squared error, mean ÷
 * standard error (a t statistic over origins). Positive = c better.
 */
function advantage(def: Float64Array, c: Float64Array): number {
  let s = 0;
  let s2 = 0;
  let n = 0;
  for (let i = 0; i < def.length; i++) {
    const d = def[i]! - c[i]!;
    if (Number.isNaN(d)) continue;
    s += d;
    s2 += d * d;
    n++;
  }
  if (n < 2) return 0;
  const mean = s / n;
  const sd = Math.sqrt(Math.max(0, (s2 - n * mean * mean) / (n - 1)));
  if (sd === 0) return mean > 0 ? Number.POSITIVE_INFINITY : 0;
  return mean / (sd / Math.sqrt(n));
}

/**
 * Rolling-origin choice with a default: every candidate's mean squared error over the next H
 * periods at each origin; the best candidate (or the mean of the best two) replaces the default
 * only when its advantage over the default is significant across origins (t > `z`). On short or
 * sparse series the backtest cannot tell most methods apart, and picking the luckiest of ten is
 * worse than a sound default; on long smooth series the evidence is strong and the choice is free.
 */
export function choosePointDefault(
  y: Float64Array,
  pool: readonly Candidate[],
  origins: readonly number[],
  H: number,
  defaultName: string,
  z = 1,
): PointChoice {
  const def = pool.find((c) => c.name === defaultName) ?? pool[0]!;
  if (origins.length === 0) return { name: def.name, members: [def], mse: Number.NaN, origins };
  const buf = new Float64Array(H);
  const errs = pool.map((c) => originErrors(y, origins, H, [c], buf));
  const di = pool.indexOf(def);
  const scored = pool
    .map((c, i) => ({ c, e: errs[i]!, mse: meanOf(errs[i]!) }))
    .filter((s) => Number.isFinite(s.mse))
    .sort((a, b) => a.mse - b.mse);
  const defErr = errs[di]!;
  let choice: PointChoice = { name: def.name, members: [def], mse: meanOf(defErr), origins };
  if (scored.length === 0) return choice;
  let bestT = z;
  const consider = (members: Candidate[], e: Float64Array, name: string) => {
    const t = advantage(defErr, e);
    if (t > bestT) {
      bestT = t;
      choice = { name, members, mse: meanOf(e), origins };
    }
  };
  consider([scored[0]!.c], scored[0]!.e, scored[0]!.c.name);
  if (scored.length >= 2) {
    const pair = [scored[0]!.c, scored[1]!.c];
    const e = originErrors(y, origins, H, pair, buf);
    consider(pair, e, `mean(${pair[0]!.name},${pair[1]!.name})`);
  }
  return choice;
}

function mseOf(
  y: Float64Array,
  origins: readonly number[],
  H: number,
  members: readonly Candidate[],
  buf: Float64Array = new Float64Array(H),
): number {
  let s = 0;
  let n = 0;
  for (const o of origins) {
    const k = Math.max(0, Math.min(H, y.length - o));
    fillForecasts(members, o, k, buf);
    for (let h = 0; h < k; h++) {
      const a = y[o + h]!;
      if (Number.isNaN(a)) continue;
      const e = a - buf[h]!;
      s += e * e;
      n++;
    }
  }
  return n > 0 ? s / n : Number.NaN;
}

/**
 * Rolling-origin choice: each candidate's squared error over the next H periods at every origin
 * in `origins` (partial windows at the end count for the periods they have), lowest mean wins; the
 * equal-weight mean of the best two replaces it when it scores lower (combining two good methods
 * is the most reliable gain in forecasting competitions). `fallback` is used with no origin.
 */
export function choosePoint(
  y: Float64Array,
  pool: readonly Candidate[],
  origins: readonly number[],
  H: number,
  fallback: string,
): PointChoice {
  const fb = pool.find((c) => c.name === fallback) ?? pool[0]!;
  if (origins.length === 0) return { name: fb.name, members: [fb], mse: Number.NaN, origins };
  const buf = new Float64Array(H);
  const scored = pool
    .map((c) => ({ c, mse: mseOf(y, origins, H, [c], buf) }))
    .filter((s) => Number.isFinite(s.mse))
    .sort((a, b) => a.mse - b.mse);
  if (scored.length === 0) return { name: fb.name, members: [fb], mse: Number.NaN, origins };
  const best = scored[0]!;
  let choice: PointChoice = { name: best.c.name, members: [best.c], mse: best.mse, origins };
  if (scored.length >= 2) {
    const pair = [best.c, scored[1]!.c];
    const mse = mseOf(y, origins, H, pair, buf);
    if (mse < best.mse)
      choice = { name: `mean(${pair[0]!.name},${pair[1]!.name})`, members: pair, mse, origins };
  }
  return choice;
}

/**
 * The candidate names a choice's name is made of: itself, or the two members of a
 * `mean(a,b)` pair (names hold parentheses and commas themselves, e.g. the period default's).
 */
export function choiceMemberNames(name: string): string[] {
  if (name.startsWith('mean(') && name.endsWith(')') && name !== COMBO) {
    const inner = name.slice(5, -1);
    let depth = 0;
    for (let i = 0; i < inner.length; i++) {
      const ch = inner[i];
      if (ch === '(') depth++;
      else if (ch === ')') depth--;
      else if (ch === ',' && depth === 0) return [inner.slice(0, i), inner.slice(i + 1)];
    }
  }
  return [name];
}

/**
 * A stored choice refitted without selection (warm start): its members from `pool` (built with
 * `only` = the member names) and the backtest score it gets in the selection it skips — mean
 * squared error over the origins as choosePoint scores it (daily), or the mean of per-origin
 * errors as choosePointDefault does (periods). Null when a member is not in the pool.
 */
export function reuseChoice(
  y: Float64Array,
  pool: readonly Candidate[],
  name: string,
  origins: readonly number[],
  H: number,
  perOrigin: boolean,
): PointChoice | null {
  const members: Candidate[] = [];
  for (const n of choiceMemberNames(name)) {
    const c = pool.find((p) => p.name === n);
    if (!c) return null;
    members.push(c);
  }
  if (origins.length === 0) return { name, members, mse: Number.NaN, origins };
  const mse = perOrigin ? meanOf(originErrors(y, origins, H, members)) : mseOf(y, origins, H, members);
  return { name, members, mse, origins };
}
