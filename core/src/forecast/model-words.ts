/**
 * A forecast model's id (as the outlook names it: `sba`, `sesH28+yearly5`, `hw+yearlyx5`,
 * `adida7(ses)+profile`, …) in words a storekeeper can read, in both languages. Ids are built by
 * composition (a base model, then weekday or yearly adjustments, or weekly aggregation around
 * it), so the words are built the same way. An unknown id is returned as it is.
 */
export function modelInWords(id: string | null | undefined): { zh: string; en: string } {
  if (!id || id === 'none')
    return { zh: '无预测（尚无用量记录）', en: 'no forecast (no usage recorded yet)' };
  const agg = /^adida(\d+)\((.*)\)(\+profile)?$/.exec(id);
  if (agg) {
    const inner = modelInWords(agg[2]!);
    const days = Number(agg[1]);
    const grain = days === 7 ? { zh: '按周', en: 'weekly' } : { zh: `按 ${days} 天`, en: `${days}-day` };
    return {
      zh: `${grain.zh}汇总后预测（ADIDA，${inner.zh}）${agg[3] ? '，再按星期分摊' : ''}`,
      en: `${grain.en} totals forecast (ADIDA, ${inner.en})${agg[3] ? ', spread back by weekday' : ''}`,
    };
  }
  const mean = /^mean\((.*)\)$/.exec(id);
  if (mean) {
    const parts = mean[1]!.split(',').map(modelInWords);
    return {
      zh: `组合平均（${parts.map((p) => p.zh).join('、')}）`,
      en: `average of ${parts.map((p) => p.en).join(', ')}`,
    };
  }
  const [base = '', ...adjustments] = id.split('+');
  const b = baseWords(base);
  if (!b) return { zh: id, en: id };
  const zh = [b.zh];
  const en = [b.en];
  for (const a of adjustments) {
    if (a.startsWith('weekday')) {
      zh.push('按星期调整');
      en.push('weekday profile');
    } else if (a.startsWith('yearly')) {
      zh.push('含年度季节性');
      en.push('yearly seasonality');
    }
  }
  return { zh: zh.join('，'), en: en.join(', ') };
}

function baseWords(base: string): { zh: string; en: string } | null {
  if (base === 'croston') return { zh: 'Croston 间歇需求法', en: 'Croston method for intermittent demand' };
  if (base === 'sba')
    return {
      zh: 'SBA 间歇需求法（偏差修正）',
      en: 'SBA (bias-corrected Croston) for intermittent demand',
    };
  if (base === 'tsb') return { zh: 'TSB 间歇需求法', en: 'TSB method for intermittent demand' };
  if (/^ses(H\d+)?$/.test(base)) return { zh: '指数平滑', en: 'exponential smoothing' };
  if (/^hw/.test(base))
    return {
      zh: '季节性指数平滑（按周）',
      en: 'seasonal exponential smoothing (Holt-Winters, weekly)',
    };
  if (base === 'naive') return { zh: '朴素预测（沿用上期）', en: 'naive (last period repeated)' };
  if (/^snaive/.test(base)) return { zh: '季节性朴素预测', en: 'seasonal naive' };
  return null;
}

/** Syntetos–Boylan demand classes in words. */
export function demandClassInWords(c: string | null | undefined): { zh: string; en: string } {
  switch (c) {
    case 'smooth':
      return { zh: '平稳需求', en: 'smooth demand' };
    case 'erratic':
      return { zh: '波动需求', en: 'erratic demand' };
    case 'intermittent':
      return { zh: '间歇需求', en: 'intermittent demand' };
    case 'lumpy':
      return { zh: '间歇且波动大的需求', en: 'lumpy demand' };
    default:
      return { zh: '尚无用量记录', en: 'no usage recorded yet' };
  }
}
