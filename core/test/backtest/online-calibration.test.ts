import { describe, expect, it } from 'vitest';
import type { BacktestRow } from '../../src/backtest/backtest-types.ts';
import { recalibrateOnline } from '../../src/backtest/online-calibration.ts';
import { brierScore } from '../../src/backtest/scores.ts';
import { mulberry32 } from '../../src/stats/prng.ts';

const errors = { mase: null, rmsse: null, pinball: null };
function row(asOf: string, p: number, outcome: BacktestRow['outcome'], position = 10): BacktestRow {
  return {
    asOf,
    position,
    leadTimeDays: 14,
    model: 'm',
    family: 'f',
    grain: 'monthly',
    forecast: [],
    pBeforeReceipt: p,
    pWithinHorizon: p,
    alertRaised: false,
    outcome,
    monthsOfStock: 1,
    errors: { engine: errors, naive: errors, mean3: errors },
  };
}

/** 24 monthly as-of dates × 200 rows: the model says 0.9 or 0.1, the truth is 0.3 and 0.05. */
function overconfident(seed = 1): BacktestRow[] {
  const rand = mulberry32(seed);
  const rows: BacktestRow[] = [];
  for (let m = 0; m < 24; m++) {
    const asOf = `${2024 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}-01`;
    for (let i = 0; i < 200; i++) {
      const high = i % 2 === 0;
      const happened = rand() < (high ? 0.3 : 0.05);
      rows.push(row(asOf, high ? 0.9 : 0.1, happened ? 'new_stockout' : 'none'));
    }
    rows.push(row(asOf, 1, 'already_out', 0));
  }
  return rows;
}

describe('recalibrateOnline: the calibration in force at each as-of date, learnt from earlier outcomes only', () => {
  const rows = overconfident();
  const out = recalibrateOnline(rows, 31);

  it('leaves the first dates raw until outcomes are known, then maps overconfident p towards what happened', () => {
    const first = out.filter((r) => r.asOf === '2024-01-01' && r.position! > 0);
    expect(first.every((r) => r.calibrated === false && r.pWithinHorizon === r.pWithinHorizonRaw)).toBe(true);
    const late = out.filter((r) => r.asOf === '2025-12-01' && r.pWithinHorizonRaw === 0.9);
    expect(late.every((r) => r.calibrated)).toBe(true);
    expect(late[0]!.pWithinHorizon!).toBeGreaterThan(0.2);
    expect(late[0]!.pWithinHorizon!).toBeLessThan(0.4);
  });

  it('keeps already-out rows at 1', () => {
    expect(out.filter((r) => r.outcome === 'already_out').every((r) => r.pWithinHorizon === 1)).toBe(true);
  });

  it('improves the Brier score of the later rows', () => {
    const scored = (rs: BacktestRow[], key: 'pWithinHorizon' | 'pWithinHorizonRaw') => {
      const later = rs.filter((r) => r.asOf >= '2024-06-01' && r.position! > 0);
      return brierScore(
        later.map((r) => r[key]!),
        later.map((r) => r.outcome === 'new_stockout'),
      );
    };
    expect(scored(out, 'pWithinHorizon')!).toBeLessThan(scored(out, 'pWithinHorizonRaw')! - 0.1);
  });

  it('never uses the future: changing later outcomes leaves earlier calibrated values unchanged', () => {
    const flipped = rows.map((r) =>
      r.asOf >= '2025-01-01' && r.position! > 0 ? { ...r, outcome: 'new_stockout' as const } : r,
    );
    const again = recalibrateOnline(flipped, 31);
    const early = (rs: BacktestRow[]) =>
      rs.filter((r) => r.asOf <= '2025-01-01').map((r) => r.pWithinHorizon);
    expect(early(again)).toEqual(early(out));
  });
});
