import { addDays, daysBetween, type EngineInput, type RuleSet } from '@medstock/core';
import { detectAnomalies } from '@medstock/core/forecast/index.ts';
import { median } from '@medstock/core/stats/robust.ts';
import type { Tx } from '@medstock/db';
import { sql } from 'drizzle-orm';

/** Only recent days are tested: older ones were either reviewed or already shaped the forecast. */
export const ANOMALY_LOOKBACK_DAYS = 90;
/** Robust z above which a day is flagged (the rule's threshold, stated in every explanation). */
export const ANOMALY_THRESHOLD = 5;
/** Centred rolling-median window (days) giving the expected value of a day. */
export const ANOMALY_WINDOW = 15;
/** A flagged day must exceed its expected value by at least this many base units … */
export const ANOMALY_MIN_EXCESS_UNITS = 3;
/** … and by at least this share of the expected value (a 30 % bump is never an anomaly). */
export const ANOMALY_MIN_EXCESS_RATIO = 0.5;

export interface FlaggedDay {
  /** Index into the history array. */
  index: number;
  day: string;
  quantity: number;
  expected: number;
  score: number;
}

const sortedMedian = (s: Float64Array) => {
  if (s.length === 0) return Number.NaN;
  const pos = (s.length - 1) / 2;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
};

/**
 * Centred rolling median, shrunk at the edges, NaN skipped: the same numbers as core's
 * rollingMedian, but keeping one sorted window instead of sorting every window (a full
 * recalculation runs this for every item-location).
 */
export function rollingMedianFast(xs: readonly number[], window: number): number[] {
  const half = Math.floor(window / 2);
  const win: number[] = [];
  const insert = (v: number) => {
    let lo = 0;
    let hi = win.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (win[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    win.splice(lo, 0, v);
  };
  const remove = (v: number) => {
    let lo = 0;
    let hi = win.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (win[mid]! < v) lo = mid + 1;
      else hi = mid;
    }
    win.splice(lo, 1);
  };
  for (let j = 0; j <= Math.min(xs.length - 1, half); j++) if (Number.isFinite(xs[j]!)) insert(xs[j]!);
  const out: number[] = [];
  for (let i = 0; i < xs.length; i++) {
    if (win.length === 0) out.push(Number.NaN);
    else {
      const pos = (win.length - 1) / 2;
      const lo = Math.floor(pos);
      const hi = Math.ceil(pos);
      out.push(win[lo]! + (win[hi]! - win[lo]!) * (pos - lo));
    }
    const leaving = i - half;
    if (leaving >= 0 && Number.isFinite(xs[leaving]!)) remove(xs[leaving]!);
    const entering = i + half + 1;
    if (entering < xs.length && Number.isFinite(xs[entering]!)) insert(xs[entering]!);
  }
  return out;
}

/**
 * Whether any residual can pass detectAnomalies' test (|r − median(r)| / robust scale above the
 * threshold, with the same scale and fallback) and the materiality rule. Most series have no
 * such day; for those the exact test, which sorts more, is skipped.
 */
function mayFlag(resid: readonly number[], material: (k: number) => boolean): boolean {
  const valid = Float64Array.from(resid.filter((r) => Number.isFinite(r))).sort();
  if (valid.length < 3) return false;
  const centre = sortedMedian(valid);
  const dev = valid.map((r) => Math.abs(r - centre)).sort();
  let scale = 1.4826 * sortedMedian(dev);
  if (!(scale > 0)) scale = 1.2533 * (dev.reduce((a, b) => a + b, 0) / dev.length);
  if (!(scale > 0)) return false;
  return resid.some(
    (r, k) => Number.isFinite(r) && Math.abs(r - centre) / scale > ANOMALY_THRESHOLD * 0.999 && material(k),
  );
}

/**
 * The robust residual test on the last 90 days of one daily series: score = |x − m| / (1.4826 ·
 * MAD) of the residuals, flagged when above 5 and when the excess is material. Smooth series
 * (most days non-zero) compare each day with its centred rolling median. Intermittent series
 * (mostly zero days, where a rolling median is 0 and every issue would look extreme) compare
 * each non-zero day with the typical size of a non-zero day instead. Only spikes are flagged:
 * a dip is a quiet day or a stockout, which the stockout censoring already handles, and weekend
 * dips would otherwise flood the review queue. Days with no stock (censored) are skipped.
 */
export function findConsumptionAnomalies(
  history: readonly number[],
  today: string,
  opts: { censored?: readonly boolean[]; skip?: ReadonlySet<number> } = {},
): FlaggedDay[] {
  const n = history.length;
  const start = Math.max(0, n - ANOMALY_LOOKBACK_DAYS);
  if (n - start < 14) return [];
  const dayOf = (i: number) => addDays(today, i - n);
  const usable = (i: number) => !opts.censored?.[i];
  const material = (x: number, expected: number) =>
    x - expected >= Math.max(ANOMALY_MIN_EXCESS_UNITS, ANOMALY_MIN_EXCESS_RATIO * expected);
  const window: number[] = [];
  for (let i = start; i < n; i++) if (usable(i)) window.push(i);
  const nonZero = window.filter((i) => history[i]! > 0);
  if (nonZero.length < 5) return [];
  const out: FlaggedDay[] = [];

  if (nonZero.length * 2 >= window.length) {
    // Half a window of context before the tested range keeps the first days' medians centred.
    const from = Math.max(0, start - Math.floor(ANOMALY_WINDOW / 2));
    const seg = history.slice(from).map((x, k) => (usable(from + k) ? x : Number.NaN));
    const baseline = rollingMedianFast(seg, ANOMALY_WINDOW);
    const candidate = (k: number) =>
      from + k >= start && seg[k]! > baseline[k]! && material(seg[k]!, baseline[k]!);
    if (
      !mayFlag(
        seg.map((x, k) => x - baseline[k]!),
        candidate,
      )
    )
      return [];
    const r = detectAnomalies(seg, { threshold: ANOMALY_THRESHOLD, baseline });
    for (const k of r.indices) {
      const i = from + k;
      if (!candidate(k) || opts.skip?.has(i)) continue;
      out.push({
        index: i,
        day: dayOf(i),
        quantity: history[i]!,
        expected: baseline[k]!,
        score: r.scores[k]!,
      });
    }
    return out;
  }

  const sizes = nonZero.map((i) => history[i]!);
  const typical = median(sizes);
  if (!sizes.some((x) => x > typical && material(x, typical))) return [];
  const r = detectAnomalies(sizes, { threshold: ANOMALY_THRESHOLD, baseline: sizes.map(() => typical) });
  for (const k of r.indices) {
    const i = nonZero[k]!;
    const x = history[i]!;
    if (opts.skip?.has(i) || x <= typical || !material(x, typical)) continue;
    out.push({ index: i, day: dayOf(i), quantity: x, expected: typical, score: r.scores[k]! });
  }
  return out;
}

/**
 * Runs during every recalculation, before the forecasts: flags new anomalies as pending rows in
 * consumption_anomalies (one per item, location and day, so a day once reviewed — accepted or
 * rejected — is never flagged again), and brings the inputs in line with the review state:
 *  - pending days (already excluded by the loader, plus the new ones) stay out of fitting and
 *    raise the consumption-anomaly alert;
 *  - rejected days (a person said "not real demand") stay out of fitting for good;
 *  - accepted days are ordinary history again.
 * Mutates the inputs in place; returns how many days it flagged.
 */
export async function flagConsumptionAnomalies(
  tx: Tx,
  inputs: EngineInput[],
  rules: RuleSet,
): Promise<number> {
  if (inputs.length === 0) return 0;
  const pairs = sql`unnest(${sql.param(inputs.map((i) => i.item.id))}::uuid[], ${sql.param(inputs.map((i) => i.location.id))}::uuid[]) as p(item_id, location_id)`;
  const reviewed = await tx.execute<{
    item_id: string;
    location_id: string;
    day: string;
    status: string;
  }>(sql`
    select a.item_id, a.location_id, to_char(a.day, 'YYYY-MM-DD') as day, a.status
      from consumption_anomalies a join ${pairs} using (item_id, location_id)`);
  const byKey = new Map<string, Array<{ day: string; status: string }>>();
  for (const r of reviewed.rows) {
    const k = `${r.item_id}|${r.location_id}`;
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }

  const found: Array<{ input: EngineInput; flag: FlaggedDay }> = [];
  for (const input of inputs) {
    const n = input.history.length;
    const indexOf = (day: string) => n + daysBetween(input.today, day);
    const known = byKey.get(`${input.item.id}|${input.location.id}`) ?? [];
    const excluded = new Set(input.excludedDays ?? []);
    for (const r of known) {
      const i = indexOf(r.day);
      if (r.status === 'rejected' && i >= 0 && i < n) excluded.add(i);
    }
    input.excludedDays = [...excluded].sort((a, b) => a - b);
    if (!rules.consumptionAnomaly.enabled) continue;
    const skip = new Set(known.map((r) => indexOf(r.day)));
    for (const flag of findConsumptionAnomalies(input.history, input.today, {
      censored: input.stockoutDays,
      skip,
    }))
      found.push({ input, flag });
  }
  if (found.length === 0) return 0;

  const inserted = await tx.execute<{ item_id: string; location_id: string; day: string }>(sql`
    insert into consumption_anomalies (item_id, location_id, day, quantity, expected, score, threshold)
    select x.item_id, x.location_id, x.day, x.quantity, x.expected, x.score, ${ANOMALY_THRESHOLD}
      from unnest(${sql.param(found.map((f) => f.input.item.id))}::uuid[], ${sql.param(found.map((f) => f.input.location.id))}::uuid[],
                  ${sql.param(found.map((f) => f.flag.day))}::date[], ${sql.param(found.map((f) => f.flag.quantity))}::numeric[],
                  ${sql.param(found.map((f) => Math.round(f.flag.expected * 1000) / 1000))}::numeric[],
                  ${sql.param(found.map((f) => Math.round(f.flag.score * 1000) / 1000))}::numeric[]) as x(item_id, location_id, day, quantity, expected, score)
    on conflict (item_id, location_id, day) do nothing
    returning item_id, location_id, to_char(day, 'YYYY-MM-DD') as day`);
  const isNew = new Set(inserted.rows.map((r) => `${r.item_id}|${r.location_id}|${r.day}`));
  for (const { input, flag } of found) {
    if (!isNew.has(`${input.item.id}|${input.location.id}|${flag.day}`)) continue;
    input.excludedDays = [...new Set([...(input.excludedDays ?? []), flag.index])].sort((a, b) => a - b);
    input.pendingAnomalies = [
      ...input.pendingAnomalies,
      { date: flag.day, quantity: flag.quantity, expected: Math.round(flag.expected * 1000) / 1000 },
    ].sort((a, b) => b.date.localeCompare(a.date));
  }
  return isNew.size;
}
