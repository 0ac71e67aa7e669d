import { describe, expect, it } from 'vitest';
import {
  applyCalibration,
  type CalibrationPair,
  calibrationLabel,
  fitCalibration,
  MIN_CALIBRATION_POSITIVES,
  MIN_CALIBRATION_ROWS,
  poolAdjacentViolators,
} from '../../src/calibration/calibration.ts';
import { mulberry32 } from '../../src/stats/prng.ts';

/** A model that is overconfident: it says q, the truth is q² (so high p are too high, low p fine). */
function sample(seed: number, n: number): CalibrationPair[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const q = r();
    return { p: q, outcome: r() < q * q };
  });
}

const brier = (xs: CalibrationPair[], f: (p: number) => number) =>
  xs.reduce((s, d) => s + (f(d.p) - (d.outcome ? 1 : 0)) ** 2, 0) / xs.length;

describe('recalibration', () => {
  it('pool-adjacent-violators gives a non-decreasing fit with the right pooled means', () => {
    const { x, y, w } = poolAdjacentViolators([1, 2, 3, 4, 5], [1, 3, 2, 2, 5]);
    for (let i = 1; i < y.length; i++) expect(y[i]!).toBeGreaterThan(y[i - 1]!);
    expect(y).toEqual([1, 7 / 3, 5]);
    expect(w).toEqual([1, 3, 1]);
    expect(x).toEqual([1, 3, 5]);
  });

  it('isotonic and logistic fits are monotone and improve Brier on a held-out miscalibrated sample', () => {
    const train = sample(1, 2000);
    const test = sample(2, 2000);
    const raw = brier(test, (p) => p);
    for (const method of ['isotonic', 'logistic', 'auto'] as const) {
      const cal = fitCalibration(train, { method })!;
      expect(cal).not.toBeNull();
      let last = -1;
      for (let p = 0; p < 1; p += 0.01) {
        const q = applyCalibration(cal, p)!;
        expect(q).toBeGreaterThanOrEqual(last - 1e-12);
        last = q;
      }
      expect(brier(test, (p) => applyCalibration(cal, p)!)).toBeLessThan(raw - 0.005);
      expect(cal.brierAfter).toBeLessThan(cal.brierBefore);
      // q² at 0.8 is 0.64.
      expect(applyCalibration(cal, 0.8)!).toBeCloseTo(0.64, 1);
    }
  });

  it('returns null below the minimum evidence, keeps null (unknown) untouched and maps a computed 1 too', () => {
    expect(fitCalibration(sample(3, MIN_CALIBRATION_ROWS - 1))).toBeNull();
    const fewPositives = sample(4, 1000).map((d, i) => ({
      ...d,
      outcome: i < MIN_CALIBRATION_POSITIVES - 1,
    }));
    expect(fitCalibration(fewPositives)).toBeNull();
    const cal = fitCalibration(sample(5, 1000))!;
    const top = applyCalibration(cal, 1)!;
    expect(top).toBeGreaterThanOrEqual(applyCalibration(cal, 0.9)!);
    expect(top).toBeLessThanOrEqual(1);
    expect(applyCalibration(cal, null)).toBeNull();
    expect(applyCalibration(null, 0.3)).toBe(0.3);
    expect(calibrationLabel(cal).en).toContain('1000 backtest rows');
  });

  it('is JSON-serialisable: a stored and reloaded calibration gives the same probabilities', () => {
    for (const method of ['isotonic', 'logistic'] as const) {
      const cal = fitCalibration(sample(6, 800), { method, fittedOn: { horizonDays: 30 } })!;
      const back = JSON.parse(JSON.stringify(cal));
      for (const p of [0, 0.05, 0.3, 0.77, 0.99])
        expect(applyCalibration(back, p)).toBe(applyCalibration(cal, p));
      expect(back.fittedOn.horizonDays).toBe(30);
    }
  });
});
