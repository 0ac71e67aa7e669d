/**
 * A clinic's monthly-reporting stock process, where the truth is known (issue 9, "Data to develop on").
 *
 * Demand comes from a real series (carparts monthly totals spread over the days of each month at
 * random, or salesdaily's real daily sales). Each day: receipts arrive, demand is served from stock
 * (lost when out), a day ending with no stock is a stock-out day. At each month end the clinic counts
 * its stock and sends a report (opening, received, issued, closing count, stock-out days) — or, with a
 * small probability, sends none. With the report (one document, as OpenLMIS's R&R) it orders by the min/max months-of-stock rule with
 * monthly review (order up to max × AMC when (count + on order) ÷ AMC < min, AMC = average of the
 * last 3 reported months, adjusted for stock-out days). Lead times are random around the supplier's
 * nominal terms, and some deliveries are late.
 *
 * It emits the series the backtest takes, as the ledger would hold it: issues posted as one line at
 * each month end (so the daily demand is monthly-reported), receipts at their dates, the count at the
 * month end, the stock-out days of each report on the days they happened, null balances and demand
 * where a report is missing (and inside the following month, until its count), the orders, the
 * observed lead times with their receipt dates, and the nominal terms. Seeded: same seed, same clinic.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { BacktestOrder, BacktestSeriesInput, LeadTimeRecord } from '../src/backtest/backtest-types.ts';
import { addDays, daysBetween, daysInMonth } from '../src/forecast/dates.ts';
import { normalInv } from '../src/stats/normal.ts';
import { mulberry32 } from '../src/stats/prng.ts';

export const CARPARTS_URL = new URL('../../../shared/data/carparts.csv', import.meta.url);
export const SALESDAILY_URL = new URL('../../../shared/data/salesdaily.csv', import.meta.url);

export interface ClinicPolicy {
  /** Order when (count + on order) ÷ AMC falls below this many months. */
  readonly minMonths: number;
  /** Order up to this many months of AMC. */
  readonly maxMonths: number;
}

export interface ClinicLeadTime {
  readonly nominalDays: number;
  /** Spread of on-time deliveries (days). */
  readonly sdDays: number;
  /** Probability that a delivery is late, and the extra days when it is (uniform). */
  readonly lateProbability: number;
  readonly lateExtraDays: readonly [number, number];
}

export interface ClinicOptions {
  readonly seed: number;
  /** First day of the first month (YYYY-MM-01). */
  readonly startDate: string;
  /** Real demand: monthly totals (spread over the days at random) or daily values. */
  readonly demand: { readonly monthly: readonly number[] } | { readonly daily: readonly number[] };
  readonly policy: ClinicPolicy;
  readonly leadTime: ClinicLeadTime;
  /** Probability that a month's report is missing. */
  readonly missingReportProbability: number;
  /** Opening stock in months of the series' mean monthly demand. */
  readonly openingMonths: number;
  readonly itemCode?: string;
  readonly siteCode?: string;
}

export interface SimulatedClinic {
  /** What the backtest sees. */
  readonly series: BacktestSeriesInput;
  /** The truth, per day. */
  readonly truth: {
    readonly demand: number[];
    readonly served: number[];
    readonly onHand: number[];
    readonly stockout: boolean[];
    /** Month-end indices whose report is missing. */
    readonly missingMonths: number[];
  };
}

/** Random clinic settings for a seed: lead times 14–45 days, min 0.5–1.5 months, max min + 1–2.5. */
export function randomClinicSettings(
  seed: number,
): Pick<ClinicOptions, 'policy' | 'leadTime' | 'missingReportProbability' | 'openingMonths'> {
  const r = mulberry32(seed ^ 0x5bd1e995);
  const nominal = [14, 21, 30, 45][Math.floor(r() * 4)]!;
  const minMonths = 0.5 + r();
  return {
    policy: { minMonths, maxMonths: minMonths + 1 + 1.5 * r() },
    leadTime: { nominalDays: nominal, sdDays: 0.2 * nominal, lateProbability: 0.15, lateExtraDays: [10, 30] },
    missingReportProbability: 0.05,
    openingMonths: 0.5 + 2 * r(),
  };
}

export function simulateClinic(o: ClinicOptions): SimulatedClinic {
  const rand = mulberry32(o.seed);
  // Daily true demand.
  const demand: number[] = [];
  const monthStarts: number[] = [];
  if ('monthly' in o.demand) {
    let d = o.startDate;
    for (const total of o.demand.monthly) {
      const [y, m] = d.split('-').map(Number) as [number, number];
      const dim = daysInMonth(y, m);
      monthStarts.push(demand.length);
      const days = new Array<number>(dim).fill(0);
      const units = Math.max(0, Math.round(total));
      for (let u = 0; u < units; u++) days[Math.floor(rand() * dim)]!++;
      demand.push(...days);
      d = addDays(d, dim);
    }
  } else {
    for (let i = 0; i < o.demand.daily.length; i++) {
      if (addDays(o.startDate, i).endsWith('-01')) monthStarts.push(i);
      demand.push(Math.max(0, Math.round(o.demand.daily[i]!)));
    }
    // Only whole months.
    const lastStart = monthStarts.at(-1)!;
    const [y, m] = addDays(o.startDate, lastStart).split('-').map(Number) as [number, number];
    if (lastStart + daysInMonth(y, m) > demand.length) {
      monthStarts.pop();
      demand.length = lastStart;
    }
  }
  const n = demand.length;
  // The clinic's planned usage (as a catalogue template would give it): the series' mean month. It sets
  // the opening stock and is the AMC of last resort while reports show no consumption.
  const typical = (sumRange(demand, 0, n - 1) / n) * 30.4375;
  let onHand = Math.round(o.openingMonths * typical);

  const served: number[] = new Array(n).fill(0);
  const trueOnHand: number[] = new Array(n).fill(0);
  const stockout: boolean[] = new Array(n).fill(false);
  const arrivals = new Map<number, number>();
  const orders: BacktestOrder[] = [];
  const leadTimes: LeadTimeRecord[] = [];
  const openOrders: { qty: number; arrive: number }[] = [];
  // Ledger view.
  const ledgerDemand: (number | null)[] = new Array(n).fill(0);
  const balance: (number | null)[] = new Array(n).fill(null);
  const recordedStockout: boolean[] = new Array(n).fill(false);
  const reports: { issued: number; stockoutDays: number; days: number }[] = [];
  const missingMonths: number[] = [];
  let ledgerCount: number | null = onHand;
  let lastAmc = typical;

  for (let k = 0; k < monthStarts.length; k++) {
    const s = monthStarts[k]!;
    const e = (monthStarts[k + 1] ?? n) - 1;
    let receivedInMonth = 0;
    let issued = 0;
    let outDays = 0;
    for (let i = s; i <= e; i++) {
      const rec = arrivals.get(i) ?? 0;
      if (rec) {
        onHand += rec;
        receivedInMonth += rec;
        for (let j = openOrders.length - 1; j >= 0; j--)
          if (openOrders[j]!.arrive === i) openOrders.splice(j, 1);
      }
      const sv = Math.min(onHand, demand[i]!);
      served[i] = sv;
      onHand -= sv;
      issued += sv;
      trueOnHand[i] = onHand;
      if (onHand <= 0) {
        stockout[i] = true;
        outDays++;
      }
      // Ledger inside the month: last count plus receipts so far (issues are posted at month end).
      balance[i] = ledgerCount === null ? null : ledgerCount + receivedInMonth;
    }
    const missing = rand() < o.missingReportProbability;
    if (missing) {
      missingMonths.push(e);
      for (let i = s; i <= e; i++) {
        ledgerDemand[i] = null;
        balance[i] = null;
      }
      ledgerCount = null;
      continue;
    }
    // The report: issues posted at the month end, the count sets on-hand, stock-out days recorded.
    ledgerDemand[e] = issued;
    balance[e] = onHand;
    for (let i = s; i <= e; i++) recordedStockout[i] = stockout[i]!;
    ledgerCount = onHand;
    const days = e - s + 1;
    reports.push({ issued, stockoutDays: outDays, days });
    // Min/max months of stock, monthly review, on the reported figures.
    // AMC of the last 3 reports with a day in stock; else of the last 12; else the last one known
    // (a clinic at zero keeps ordering what it used to use).
    const adjusted = (rs: typeof reports) => {
      const ok = rs.filter((r) => r.days > r.stockoutDays);
      return ok.length
        ? ok.reduce((sum, r) => sum + (r.issued * r.days) / (r.days - r.stockoutDays), 0) / ok.length
        : 0;
    };
    let amc = adjusted(reports.slice(-3));
    if (!(amc > 0)) amc = adjusted(reports.slice(-12));
    if (!(amc > 0)) amc = lastAmc;
    if (!(amc > 0)) continue;
    lastAmc = amc;
    const onOrder = openOrders.reduce((sum, x) => sum + x.qty, 0);
    const mos = (onHand + onOrder) / amc;
    if (mos >= o.policy.minMonths) continue;
    const qty = Math.max(1, Math.ceil(o.policy.maxMonths * amc - onHand - onOrder));
    // Report and requisition are one document (OpenLMIS R&R): the order is dated with the report.
    const orderDay = e;
    const L = o.leadTime;
    const s2 = Math.log(1 + (L.sdDays / L.nominalDays) ** 2);
    let lt = Math.exp(
      Math.log(L.nominalDays) -
        s2 / 2 +
        Math.sqrt(s2) * normalInv(Math.min(1 - 1e-9, Math.max(1e-9, rand()))),
    );
    if (rand() < L.lateProbability)
      lt += L.lateExtraDays[0] + rand() * (L.lateExtraDays[1] - L.lateExtraDays[0]);
    const ltDays = Math.max(1, Math.round(lt));
    const arrive = orderDay + ltDays;
    const orderDate = addDays(o.startDate, orderDay);
    const receivedDate = arrive < n ? addDays(o.startDate, arrive) : null;
    orders.push({ orderDate, qty, expectedDate: addDays(orderDate, L.nominalDays), receivedDate });
    if (receivedDate) {
      arrivals.set(arrive, (arrivals.get(arrive) ?? 0) + qty);
      leadTimes.push({ orderDate, receiptDate: receivedDate, days: ltDays });
    }
    openOrders.push({ qty, arrive });
  }
  return {
    series: {
      ...(o.itemCode !== undefined ? { itemCode: o.itemCode } : {}),
      ...(o.siteCode !== undefined ? { siteCode: o.siteCode } : {}),
      startDate: o.startDate,
      demand: ledgerDemand,
      balance,
      stockoutDays: recordedStockout,
      leadTimes,
      terms: [{ from: o.startDate, nominalDays: o.leadTime.nominalDays, nominalSdDays: o.leadTime.sdDays }],
      orders,
    },
    truth: { demand, served, onHand: trueOnHand, stockout, missingMonths },
  };
}

function sumRange(xs: readonly number[], a: number, b: number): number {
  let s = 0;
  for (let i = a; i <= b; i++) s += xs[i]!;
  return s;
}

/** carparts.csv: complete series only, as monthly totals from Jan-98. null when the file is absent. */
export function loadCarparts(url: URL = CARPARTS_URL): { part: string; monthly: number[] }[] | null {
  if (!existsSync(url)) return null;
  const lines = readFileSync(url, 'utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.length > 0);
  const out: { part: string; monthly: number[] }[] = [];
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    const vals = cells.slice(1);
    if (vals.some((v) => v.trim() === '')) continue;
    out.push({ part: cells[0]!, monthly: vals.map(Number) });
  }
  return out;
}

/** salesdaily.csv: the eight daily series from 2014-01-02, read as daily sales. null when absent. */
export function loadSalesDailySeries(
  url: URL = SALESDAILY_URL,
): { startDate: string; names: string[]; daily: number[][] } | null {
  if (!existsSync(url)) return null;
  const lines = readFileSync(url, 'utf8')
    .split('\n')
    .map((l) => l.replace(/\r$/, ''))
    .filter((l) => l.length > 0);
  const names = lines[0]!.split(',').slice(1, 9);
  const daily: number[][] = names.map(() => []);
  let startDate = '';
  for (const line of lines.slice(1)) {
    const cells = line.split(',');
    if (!startDate) {
      const [m, d, y] = cells[0]!.split('/');
      startDate = `${y}-${m!.padStart(2, '0')}-${d!.padStart(2, '0')}`;
    }
    for (let j = 0; j < names.length; j++) daily[j]!.push(Number(cells[j + 1]));
  }
  return { startDate, names, daily };
}

/** Days from `from` to the first day of the next month (0 when `from` is the 1st). */
export function daysToMonthStart(from: string): number {
  if (from.endsWith('-01')) return 0;
  const [y, m] = from.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`;
  return daysBetween(from, next);
}
