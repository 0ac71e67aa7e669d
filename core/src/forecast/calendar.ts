import { addDays, daysBetween, formatIsoDate } from './dates.ts';

/**
 * Closed days. A pharmacy or clinic closed on a public holiday records zero demand for every item;
 * that is not "no demand", so in fitting those days are censored (missing), and a forecast for a
 * day the site will be closed is 0. Which days a site closes on can be configured or learnt.
 */

/** Days on which every series is zero — the site was closed (or recorded nothing). */
export function closedDays(seriesList: readonly (readonly number[])[]): boolean[] {
  const n = Math.max(0, ...seriesList.map((s) => s.length));
  return Array.from({ length: n }, (_, t) => seriesList.length > 0 && seriesList.every((s) => s[t] === 0));
}

/** Western (Gregorian) Easter Sunday, anonymous Gregorian algorithm. */
export function westernEaster(year: number): string {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const day = ((h + l - 7 * m + 114) % 31) + 1;
  return formatIsoDate(Date.UTC(year, month - 1, day));
}

/** Orthodox Easter Sunday as a Gregorian date (Meeus' Julian algorithm + 13 days, valid 1900–2099). */
export function orthodoxEaster(year: number): string {
  const a = year % 4;
  const b = year % 7;
  const c = year % 19;
  const d = (19 * c + 15) % 30;
  const e = (2 * a + 4 * b - d + 34) % 7;
  const month = Math.floor((d + e + 114) / 31);
  const day = ((d + e + 114) % 31) + 1;
  return formatIsoDate(Date.UTC(year, month - 1, day + 13));
}

/**
 * A closure rule: a fixed month-day ('md:12-25'), or a day offset from Western or Orthodox
 * Easter ('we:+1' = Easter Monday, 'oe:+0'). Moving holidays matter: a clinic closed on Easter
 * Monday is closed on a different date every year.
 */
export type ClosureRule = string;

function ruleDate(rule: ClosureRule, year: number): string | null {
  const [kind, arg] = rule.split(':') as [string, string];
  if (kind === 'md') return `${year}-${arg}`;
  const offset = Number(arg);
  if (kind === 'we') return addDays(westernEaster(year), offset);
  if (kind === 'oe') return addDays(orthodoxEaster(year), offset);
  return null;
}

export interface ClosureCalendar {
  readonly rules: readonly ClosureRule[];
  /** Explicit one-off closed dates (ISO). */
  readonly dates: readonly string[];
  isClosed(isoDate: string): boolean;
}

export function closureCalendar(
  rules: readonly ClosureRule[],
  dates: readonly string[] = [],
): ClosureCalendar {
  const explicit = new Set(dates);
  const cache = new Map<number, Set<string>>();
  const forYear = (year: number): Set<string> => {
    let set = cache.get(year);
    if (!set) {
      set = new Set(rules.map((r) => ruleDate(r, year)).filter((d): d is string => d !== null));
      cache.set(year, set);
    }
    return set;
  };
  return {
    rules: [...rules].sort(),
    dates: [...explicit].sort(),
    isClosed: (iso) => explicit.has(iso) || forYear(Number(iso.slice(0, 4))).has(iso.slice(0, 10)),
  };
}

export interface LearnClosureOptions {
  /** A rule must have held in at least this many years. Default 2. */
  readonly minYears?: number;
  /** …and in at least this share of the years the history covers its date. Default 0.6. */
  readonly minPrecision?: number;
  /** Easter offsets considered, ± days. Default 2 (Good Friday … Easter Tuesday). */
  readonly easterWindow?: number;
}

/**
 * Learns recurring closures from history (dates ascending, consecutive or not). Candidate rules
 * come from each closed day (its month-day and its offset from both Easters); a rule is kept when
 * the site was closed on its date in ≥ minYears years and in ≥ minPrecision of the years where the
 * history contains that date, so one-off closures and coincidences (Western and Orthodox Easter
 * fall on the same day some years) do not become rules.
 */
export function learnClosureCalendar(
  dates: readonly string[],
  closed: readonly boolean[],
  options: LearnClosureOptions = {},
): ClosureCalendar {
  const minYears = options.minYears ?? 2;
  const minPrecision = options.minPrecision ?? 0.6;
  const win = options.easterWindow ?? 2;
  const closedSet = new Set<string>();
  const present = new Set<string>();
  for (let i = 0; i < dates.length; i++) {
    const d = dates[i]!.slice(0, 10);
    present.add(d);
    if (closed[i]) closedSet.add(d);
  }
  if (closedSet.size === 0) return closureCalendar([]);
  const candidates = new Set<ClosureRule>();
  for (const d of closedSet) {
    const year = Number(d.slice(0, 4));
    candidates.add(`md:${d.slice(5, 10)}`);
    const we = daysBetween(westernEaster(year), d);
    const oe = daysBetween(orthodoxEaster(year), d);
    if (Math.abs(we) <= win) candidates.add(`we:${we >= 0 ? '+' : ''}${we}`);
    if (Math.abs(oe) <= win) candidates.add(`oe:${oe >= 0 ? '+' : ''}${oe}`);
  }
  const firstYear = Number(dates[0]!.slice(0, 4));
  const lastYear = Number(dates[dates.length - 1]!.slice(0, 4));
  const rules: ClosureRule[] = [];
  for (const rule of candidates) {
    let hits = 0;
    let seen = 0;
    for (let y = firstYear; y <= lastYear; y++) {
      const d = ruleDate(rule, y);
      if (!d || !present.has(d)) continue;
      seen++;
      if (closedSet.has(d)) hits++;
    }
    if (hits >= minYears && hits / seen >= minPrecision) rules.push(rule);
  }
  return closureCalendar(rules);
}

/** Sets the forecast to 0 on days the calendar says the site is closed; day 0 is `firstDate`. */
export function applyClosures(
  forecast: readonly number[],
  firstDate: string,
  calendar: ClosureCalendar,
): number[] {
  return forecast.map((v, k) => (calendar.isClosed(addDays(firstDate, k)) ? 0 : v));
}
