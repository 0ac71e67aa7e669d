import { describe, expect, it } from 'vitest';
import { DEFAULT_RULE_SET, evaluateAlerts } from '../../src/alerts/index.ts';
import { computeItemLocation } from '../../src/engine/compute-item-location.ts';
import { DEFAULT_ENGINE_SETTINGS, type EngineInput, type Outlooker } from '../../src/engine/engine-input.ts';
import { demandClassInWords, modelInWords } from '../../src/forecast/model-words.ts';
import type { DemandOutlook, OutlookInput } from '../../src/forecast/outlook-types.ts';
import { poissonCdf, poissonQuantile } from '../../src/stats/discrete.ts';

// Issue 11: alert texts name units in the item's own words (支, not piece), model ids in words,
// and stock levels as whole counts; a new clinic's empty shelf is an explained alert.

const outlook =
  (rate: number, model = 'sba'): Outlooker =>
  (input: OutlookInput): DemandOutlook => ({
    grain: 'daily',
    model,
    family: 'poisson',
    demandClass: 'intermittent',
    score: null,
    daily: Array(input.horizonDays).fill(rate),
    total: (from, to) => {
      const m = rate * Math.max(0, to - from);
      return {
        mean: m,
        sd: Math.sqrt(m),
        cdf: (x) => poissonCdf(x, m),
        quantile: (p) => poissonQuantile(p, m),
        label: `Poisson(${m})`,
      };
    },
    periods: [],
    prior: null,
    explanation: { zh: '', en: '' },
  });

const input = (over: Partial<EngineInput> = {}): EngineInput => ({
  today: '2026-12-01',
  item: {
    id: 'i1',
    code: 'SYR-5',
    nameZh: '注射器 5ml',
    nameEn: 'Syringe 5 ml',
    ved: 'E',
    abc: 'B',
    unitCost: 1,
    baseUnit: 'piece',
    baseUnitZh: '支',
    baseUnitEn: 'piece',
  },
  location: { id: 'l1', name: '中心库房', siteName: '社区中心' },
  history: Array(120).fill(3),
  historyStartDate: '2026-08-03',
  balance: Array(120).fill(100),
  stockoutDays: Array(120).fill(false),
  planned: Array(90).fill(0),
  onHand: 100,
  inTransit: 0,
  arrivals: [],
  lots: [{ lotNumber: '', expiryDate: null, onHand: 100 }],
  leadTimes: { observedDays: [], nominalDays: 7 },
  supplier: null,
  parMax: null,
  parMin: null,
  typicalMonthlyUsage: null,
  lastIssueDaysAgo: 1,
  pendingAnomalies: [],
  latePurchaseOrders: [],
  substitutesInStock: [],
  transferSource: null,
  ...over,
});

const alerts = (i: EngineInput, rate = 3, model = 'sba') =>
  evaluateAlerts(
    computeItemLocation(i, DEFAULT_ENGINE_SETTINGS, outlook(rate, model)).state,
    DEFAULT_RULE_SET,
  );

describe('a new clinic with no history at all', () => {
  it('on-hand 0 with unknown usage: an explained stock-out alert (high), not silence', () => {
    const none = input({ history: [], balance: [], stockoutDays: [], onHand: 0, lots: [] });
    const out = alerts(none).find((a) => a.type === 'stocked_out');
    expect(out).toBeDefined();
    expect(out!.severity).toBe('high');
    expect(out!.explanation.formula).toBe('on-hand ≤ 0');
    expect(out!.explanation.text.zh).toContain('已缺货：在库 0（尚无用量记录）');
    expect(out!.explanation.text.en).toContain('no usage recorded yet');
  });

  it('with a par minimum set, on-hand 0 is critical and names the minimum in the item’s unit', () => {
    const none = input({ history: [], balance: [], stockoutDays: [], onHand: 0, lots: [], parMin: 20 });
    const out = alerts(none).find((a) => a.type === 'stocked_out');
    expect(out!.severity).toBe('critical');
    expect(out!.explanation.text.zh).toContain('最低库存 20 支');
    // What to do: order up to the par minimum, even with no forecast.
    expect(out!.action?.kind).toBe('order');
    expect((out!.action as { quantityBase: number }).quantityBase).toBe(20);
    expect(out!.action!.text.zh).toContain('订购');
  });

  it('below the par minimum (with stock left): a below-par alert in the item’s unit', () => {
    const low = input({ history: [0], balance: [5], stockoutDays: [false], onHand: 5, parMin: 20 });
    const par = alerts(low).find((a) => a.type === 'below_par_minimum');
    expect(par!.explanation.text.zh).toContain('可用库存 5 支');
    expect(par!.explanation.text.zh).toContain('低于最低库存 20 支');
    expect(par!.explanation.text.zh).not.toContain('库存位置');
    expect(par!.explanation.text.en).toContain('position 5 piece');
  });
});

describe('alert words', () => {
  it('never shows the unit code in the Chinese text', () => {
    const out = alerts(input({ onHand: 0, lots: [] }));
    for (const a of out) expect(a.explanation.text.zh).not.toMatch(/piece/);
  });

  it('names the forecast model in words and states safety stock and reorder point as whole units', () => {
    const a = alerts(input({ onHand: 4, lots: [{ lotNumber: '', expiryDate: null, onHand: 4 }] }), 3.3);
    const risk = a.find((x) => x.type === 'stockout_risk');
    expect(risk!.explanation.text.zh).toContain('SBA 间歇需求法');
    expect(risk!.explanation.text.zh).toContain('间歇需求');
    expect(risk!.explanation.text.en).toContain('SBA (bias-corrected Croston)');
    // The distribution is named in Chinese, its numbers kept.
    expect(risk!.explanation.text.zh).toMatch(/到货前需求 泊松分布/);
    expect(risk!.explanation.text.zh).not.toMatch(/Poisson|mean/);
    const ss = a.find((x) => x.type === 'below_safety_stock');
    if (ss) {
      const m = /低于安全库存 (\S+) 支/.exec(ss.explanation.text.zh);
      expect(m && Number.isInteger(Number(m[1]))).toBe(true);
    }
  });

  it('composes model ids into words', () => {
    expect(modelInWords('croston').zh).toBe('Croston 间歇需求法');
    expect(modelInWords('hw+yearlyx5').zh).toBe('季节性指数平滑（按周），含年度季节性');
    expect(modelInWords('sesH28+weekday+yearlyx5').en).toBe(
      'exponential smoothing, weekday profile, yearly seasonality',
    );
    expect(modelInWords('adida7(ses)+profile').zh).toBe('按周汇总后预测（ADIDA，指数平滑），再按星期分摊');
    expect(modelInWords('none').zh).toBe('无预测（尚无用量记录）');
    expect(modelInWords('mystery-7')).toEqual({ zh: 'mystery-7', en: 'mystery-7' });
    expect(demandClassInWords('lumpy').zh).toBe('间歇且波动大的需求');
  });
});
