import { describe, expect, it } from 'vitest';
import { randomClinicSettings, simulateClinic } from '../../bench/clinic-simulator.ts';
import { addDays } from '../../src/forecast/dates.ts';

const monthly = Array.from({ length: 24 }, (_, k) => [4, 0, 7, 2, 9, 0, 3, 5][k % 8]!);
const run = (seed: number) =>
  simulateClinic({ seed, startDate: '2020-01-01', demand: { monthly }, ...randomClinicSettings(seed) });

describe('clinic simulator', () => {
  it('is reproducible with a seed and differs across seeds', () => {
    expect(JSON.stringify(run(42))).toBe(JSON.stringify(run(42)));
    expect(JSON.stringify(run(42))).not.toBe(JSON.stringify(run(43)));
  });

  it('emits what the ledger would hold, consistent with the truth', () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      const { series, truth } = run(seed);
      const n = truth.demand.length;
      expect(series.balance).toHaveLength(n);
      // Monthly demand from the real totals, spread over the days.
      expect(truth.demand.reduce((s, x) => s + x, 0)).toBe(monthly.reduce((s, x) => s + x, 0));
      let months = 0;
      for (let i = 0; i < n; i++) {
        const lastOfMonth = addDays(series.startDate, i + 1).endsWith('-01');
        if (!lastOfMonth) continue;
        months++;
        if (series.balance[i] === null) {
          expect(series.demand[i]).toBeNull();
          continue;
        }
        // A reported month end: the count is the true on-hand; the issues posted there are what was served that month.
        expect(series.balance[i]).toBe(truth.onHand[i]);
      }
      expect(months).toBe(24);
      // Served never exceeds demand; stock-out days recorded only where the stock was truly out.
      for (let i = 0; i < n; i++) {
        expect(truth.served[i]!).toBeLessThanOrEqual(truth.demand[i]!);
        if (series.stockoutDays![i]) expect(truth.onHand[i]).toBe(0);
      }
      // Lead times are observed only for orders received, and each receipt date is after its order.
      for (const l of series.leadTimes!) expect(l.receiptDate > l.orderDate).toBe(true);
    }
  });
});
