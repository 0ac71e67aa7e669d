import { describe, expect, it } from 'vitest';
import {
  bootstrapLeadTimeDemand,
  itemReorderPoint,
  leadTimeDemand,
  leadTimeDemandMoments,
  negativeBinomialLeadTimeDemand,
  normalLeadTimeDemand,
  poissonLeadTimeDemand,
  reorderPointFromDistribution,
} from '../../src/policy/index.ts';
import { negBinCdf } from '../../src/stats/index.ts';

describe('lead-time demand distributions', () => {
  it('moments: mean d̄·L̄, variance L̄·σd² + d̄²·σL²', () => {
    expect(leadTimeDemandMoments({ dailyMean: 2.5, dailySd: 2, leadTimeMean: 7, leadTimeSd: 1 })).toEqual({
      mean: 17.5,
      variance: 34.25,
    });
  });

  it('normal for smooth demand: quantile = ROP of the SS formula', () => {
    const d = leadTimeDemand({
      demandClass: 'smooth',
      dailyMean: 2.5,
      dailySd: 2,
      leadTimeMean: 7,
      leadTimeSd: 1,
    });
    expect(d.kind).toBe('normal');
    expect(d.quantile(0.95)).toBeCloseTo(17.5 + 1.644854 * Math.sqrt(34.25), 5);
    expect(d.cdf(17.5)).toBeCloseTo(0.5, 12);
  });

  it('negative binomial for intermittent demand, Poisson without over-dispersion', () => {
    const nb = leadTimeDemand({ demandClass: 'intermittent', dailyMean: 0.5, dailySd: 1, leadTimeMean: 7 });
    expect(nb.kind).toBe('negative-binomial');
    expect(nb.mean).toBe(3.5);
    expect(nb.sd).toBeCloseTo(Math.sqrt(7), 12);
    const q = nb.quantile(0.95);
    expect(Number.isInteger(q)).toBe(true);
    expect(nb.cdf(q)).toBeGreaterThanOrEqual(0.95);
    expect(nb.cdf(q - 1)).toBeLessThan(0.95);
    expect(nb.cdf(q)).toBe(negBinCdf(q, 3.5, 7));
    const po = leadTimeDemand({ demandClass: 'lumpy', dailyMean: 0.5, dailySd: 0.5, leadTimeMean: 7 });
    expect(po.kind).toBe('poisson');
    expect(negativeBinomialLeadTimeDemand(3, 2).kind).toBe('poisson');
  });

  it('Poisson quantile for lead-time demand with mean 3', () => {
    expect(poissonLeadTimeDemand(3).quantile(0.95)).toBe(6);
  });

  it('bootstrap: deterministic history gives a point mass, and it is seeded', () => {
    const b = bootstrapLeadTimeDemand(new Array<number>(30).fill(2), [5], { samples: 200 });
    expect(b.quantile(0.95)).toBe(10);
    expect(b.cdf(9.99)).toBe(0);
    expect(b.cdf(10)).toBe(1);
    const hist = Array.from({ length: 100 }, (_, t) => (t % 4 === 0 ? 5 : 0));
    const x = bootstrapLeadTimeDemand(hist, [6, 7, 9], { seed: 5 });
    const y = bootstrapLeadTimeDemand(hist, [6, 7, 9], { seed: 5 });
    expect(x.quantile(0.9)).toBe(y.quantile(0.9));
    expect(x.mean).toBeCloseTo(((6 + 7 + 9) / 3) * 1.25, 0);
  });

  it('item reorder point uses the discrete quantile for intermittent items', () => {
    const smooth = itemReorderPoint({
      demandClass: 'smooth',
      serviceLevel: 0.95,
      dailyMean: 2.5,
      dailySd: 2,
      leadTimeMean: 7,
      leadTimeSd: 1,
    });
    expect(smooth.inputs.method).toBe('normal');
    expect(smooth.value).toBeCloseTo(17.5 + 1.644854 * Math.sqrt(34.25), 5);
    expect(smooth.substituted).toContain('SS = 1.645·√(7.00·4.00 + 2.50²·1.00)');
    const sparse = itemReorderPoint({
      demandClass: 'intermittent',
      serviceLevel: 0.95,
      dailyMean: 0.5,
      dailySd: 1,
      leadTimeMean: 7,
    });
    expect(sparse.inputs.method).toBe('distribution');
    expect(sparse.value).toBe(sparse.distribution.quantile(0.95));
    expect(sparse.formula).toBe('ROP = F⁻¹_{D_L}(CSL)');
    expect(reorderPointFromDistribution(sparse.distribution, 0.95).inputs.safetyStock).toBeCloseTo(
      sparse.value - 3.5,
      12,
    );
  });
});
