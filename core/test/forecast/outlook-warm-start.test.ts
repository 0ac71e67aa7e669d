import { describe, expect, it } from 'vitest';
import { engineInput, type Kind, series } from '../../bench/outlook-speed.bench.ts';
import { computeItemLocation } from '../../src/engine/compute-item-location.ts';
import { DEFAULT_ENGINE_SETTINGS } from '../../src/engine/engine-input.ts';
import { addDays } from '../../src/forecast/dates.ts';
import { forecastOutlook } from '../../src/forecast/outlook.ts';
import { COMBO, choiceMemberNames } from '../../src/forecast/outlook-pool.ts';
import type { DemandOutlook, OutlookInput, PreviousChoice } from '../../src/forecast/outlook-types.ts';

const TODAY = '2026-12-01';

function outlookInput(kind: Kind, seed: number, reuse: PreviousChoice | null = null): OutlookInput {
  const history = series(kind, seed);
  return { history, startDate: addDays(TODAY, -history.length), horizonDays: 90, reuse };
}

/** Everything an outlook says except how the choice was made (explanation, reselected). */
function figures(o: DemandOutlook) {
  const windows = [1, 7, 30, 90].map((d) => {
    const t = o.total(0, d);
    return {
      mean: t.mean,
      sd: t.sd,
      q: [0.5, 0.9, 0.95, 0.99].map((p) => t.quantile(p)),
      cdf: t.cdf(t.mean),
    };
  });
  return {
    grain: o.grain,
    model: o.model,
    family: o.family,
    score: o.score,
    daily: o.daily,
    periods: o.periods,
    windows,
  };
}

const choiceOf = (o: DemandOutlook): PreviousChoice => ({ model: o.model, family: o.family, grain: o.grain });

describe('forecastOutlook warm start (input.reuse)', () => {
  for (const [kind, grain] of [
    ['smooth', 'daily'],
    ['seasonal', 'daily'],
    ['monthly', 'monthly'],
    ['intermittent', null],
  ] as const) {
    it(`${kind}: refitting the selected model and family gives exactly the selection's outlook`, () => {
      const full = forecastOutlook(outlookInput(kind, 11));
      if (grain) expect(full.grain).toBe(grain);
      expect(full.reselected).toBe(true);
      const warm = forecastOutlook(outlookInput(kind, 11, choiceOf(full)));
      expect(warm.reselected).toBe(false);
      expect(figures(warm)).toEqual(figures(full));
      expect(warm.explanation.en).toContain('kept from the previous fit');
    });
  }

  it('keeps a previous model that selection would not pick now (no selection happens)', () => {
    const full = forecastOutlook(outlookInput('smooth', 5));
    expect(full.model).not.toBe('naive');
    const warm = forecastOutlook(outlookInput('smooth', 5, { model: 'naive', family: 'poisson' }));
    expect(warm.reselected).toBe(false);
    expect(warm.model).toBe('naive');
    expect(warm.family).toBe('poisson');
    expect(warm.daily).not.toEqual(full.daily);
  });

  it('falls back to full selection for a model the pool does not hold', () => {
    const full = forecastOutlook(outlookInput('smooth', 7));
    for (const model of ['hw-damped', 'mean(ses(0.05),holt)', '']) {
      const o = forecastOutlook(outlookInput('smooth', 7, { model, family: full.family }));
      expect(o.reselected).toBe(true);
      expect(figures(o)).toEqual(figures(full));
    }
  });

  it('falls back for an unknown family', () => {
    const full = forecastOutlook(outlookInput('smooth', 8));
    const o = forecastOutlook(outlookInput('smooth', 8, { model: full.model, family: 'gamma' }));
    expect(o.reselected).toBe(true);
    expect(figures(o)).toEqual(figures(full));
  });

  it('falls back when the grain changed: a monthly choice on a daily series and the reverse', () => {
    const monthly = forecastOutlook(outlookInput('monthly', 3));
    const daily = forecastOutlook(outlookInput('smooth', 3));
    expect(monthly.grain).toBe('monthly');
    expect(daily.grain).toBe('daily');
    // The period default and the weekday models exist at one grain only.
    const onDaily = forecastOutlook(outlookInput('smooth', 3, choiceOf(monthly)));
    expect(onDaily.reselected).toBe(true);
    expect(figures(onDaily)).toEqual(figures(daily));
    const onMonthly = forecastOutlook(outlookInput('monthly', 3, choiceOf(daily)));
    expect(onMonthly.reselected).toBe(true);
    expect(figures(onMonthly)).toEqual(figures(monthly));
    // 'sba' is in both pools: the stored grain is what tells the change.
    const sbaMonthly = { model: 'sba', family: 'negative-binomial', grain: 'monthly' };
    expect(forecastOutlook(outlookInput('smooth', 3, sbaMonthly)).reselected).toBe(true);
    const sba = forecastOutlook(outlookInput('smooth', 3, { ...sbaMonthly, grain: 'daily' }));
    expect(sba.reselected).toBe(false);
    expect(sba.model).toBe('sba');
  });

  it('reads the members of a pair, the period default being one name', () => {
    expect(choiceMemberNames(COMBO)).toEqual([COMBO]);
    expect(choiceMemberNames('ses(0.05)+weekday')).toEqual(['ses(0.05)+weekday']);
    expect(choiceMemberNames('mean(ses(0.02)+weekday,ma28+weekday)')).toEqual([
      'ses(0.02)+weekday',
      'ma28+weekday',
    ]);
    expect(choiceMemberNames(`mean(${COMBO},tsb)`)).toEqual([COMBO, 'tsb']);
  });
});

describe('computeItemLocation warm start (EngineInput.previousChoice)', () => {
  it('reuses the stored choice: same policy, reselected false; without one, reselected true', () => {
    const input = engineInput('seasonal', 21);
    const first = computeItemLocation(input, DEFAULT_ENGINE_SETTINGS, forecastOutlook);
    expect(first.reselected).toBe(true);
    expect(first.model).toBe(first.state.demand.model);
    const previousChoice = { model: first.model!, family: first.family!, grain: first.grain };
    const refit = computeItemLocation({ ...input, previousChoice }, DEFAULT_ENGINE_SETTINGS, forecastOutlook);
    expect(refit.reselected).toBe(false);
    const { reselected: _a, ...a } = first;
    const { reselected: _b, ...b } = refit;
    expect(b).toEqual(a);
  });

  it('says reselected false and model null when there is no outlook at all', () => {
    const input = {
      ...engineInput('smooth', 2),
      history: [0, 0],
      balance: [5, 5],
      stockoutDays: [false, false],
    };
    const p = computeItemLocation(input, DEFAULT_ENGINE_SETTINGS, forecastOutlook);
    expect(p.model).toBeNull();
    expect(p.reselected).toBe(false);
  });
});
