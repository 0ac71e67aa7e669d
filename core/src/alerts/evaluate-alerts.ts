import { addDays, daysBetween } from '../dates/calendar-dates.ts';
import { demandClassInWords, modelInWords } from '../forecast/model-words.ts';
import type {
  AlertCandidate,
  AlertType,
  Bilingual,
  Explanation,
  RecommendedAction,
  Severity,
} from './alert-types.ts';
import type { ItemLocationState } from './item-location-state.ts';
import type { RuleSet } from './rule-set.ts';

const f = (x: number, digits = 2) =>
  Number.isInteger(x) ? String(x) : x.toFixed(digits).replace(/\.?0+$/, '');
const pct = (p: number) => `${f(p * 100, 1)}%`;
/**
 * A stock level in words: base units are counts (unit-types.ts), so a fractional safety stock,
 * reorder point or order-up-to level is stated as the whole count that covers it (ceil); the
 * formula and its inputs keep the exact figure.
 */
const whole = (x: number) => String(Math.ceil(x - 1e-9) || 0); // never "-0"

/**
 * A demand distribution's label (`Poisson mixed over L 7 ± 1.8 d (mean 70, sd 9)`) in Chinese,
 * numbers kept, for the Chinese alert text; the English text and the inputs keep the label.
 */
function distributionZh(label: string): string {
  return label
    .replace(/\bPoisson\b/g, '泊松分布')
    .replace(/\bNegBin\b/g, '负二项分布')
    .replace(/\bNormal\b/g, '正态分布')
    .replace(/\bempirical\b/g, '经验分布')
    .replace(/ mixed over L ([\d.]+) ± ([\d.]+) d \(/g, '（按交期 $1 ± $2 天混合，')
    .replace(/\bmean /g, '均值 ')
    .replace(/\bsd /g, '标准差 ')
    .replace(/\bvar /g, '方差 ')
    .replace(/\bunknown\b/g, '未知')
    .replace(/\(/g, '（')
    .replace(/\)/g, '）')
    .replace(/, /g, '，');
}

/** The item's base unit in each language: its own word (支, 只, 片) where it has one, else the code. */
function unitWords(s: ItemLocationState): Bilingual {
  return { zh: s.item.baseUnitZh || s.item.baseUnit, en: s.item.baseUnitEn || s.item.baseUnit };
}

/** How the forecast was made, in words (the model and the demand class), for the alert text. */
function forecastNote(s: ItemLocationState): Bilingual {
  if (s.demand.model === 'none') return { zh: '', en: '' };
  const m = modelInWords(s.demand.model);
  const c = demandClassInWords(s.demand.demandClass);
  return { zh: `预测方法：${m.zh}（${c.zh}）。`, en: ` Forecast: ${m.en} (${c.en}).` };
}

function substituteNote(s: ItemLocationState): Bilingual {
  if (s.substitutesInStock.length === 0) return { zh: '', en: '' };
  const zh = s.substitutesInStock.map((x) => `${x.nameZh}（${x.code}）在库 ${x.onHand}`).join('、');
  const en = s.substitutesInStock.map((x) => `${x.nameEn} (${x.code}) ${x.onHand} on hand`).join(', ');
  return { zh: ` 可用替代品：${zh}。`, en: ` Substitute in stock: ${en}.` };
}

/** Order or transfer, whichever brings the position back up to the order-up-to level sooner. */
function replenishAction(s: ItemLocationState): RecommendedAction | null {
  // Up to the order-up-to level, and at least up to the clinic's own par minimum: a new clinic
  // with a par level and no history (order-up-to 0) is still told to order.
  const needed = Math.max(0, Math.ceil(Math.max(s.orderUpTo, s.parMin ?? 0) - s.position));
  const u = unitWords(s);
  if (needed <= 0) return null;
  if (s.transferSource && s.transferSource.availableBase >= Math.min(needed, s.reorderPoint.value)) {
    const q = Math.min(needed, s.transferSource.availableBase);
    return {
      kind: 'transfer',
      quantityBase: q,
      fromLocationId: s.transferSource.locationId,
      fromSiteName: s.transferSource.siteName,
      text: {
        zh: `从${s.transferSource.siteName}调拨 ${q} ${u.zh}（对方高于上限且无缺货风险）。`,
        en: `Transfer ${q} ${u.en} from ${s.transferSource.siteName} (above its maximum and not at risk).`,
      },
    };
  }
  if (!s.order) return null;
  const orderBy = addDays(s.today, Math.max(0, Math.floor(s.daysCover.value - s.leadTime.meanDays)));
  return {
    kind: 'order',
    ...s.order,
    orderBy,
    text: {
      zh: `向${s.order.supplierName ?? '供应商'}订购 ${s.order.packs} 包装（每包 ${s.order.packSize} ${u.zh}），最迟 ${orderBy} 下单。`,
      en: `Order ${s.order.packs} packs of ${s.order.packSize} ${u.en} from ${s.order.supplierName ?? 'the supplier'} by ${orderBy}.`,
    },
  };
}

function candidate(
  rules: RuleSet,
  type: AlertType,
  severity: Severity,
  score: number,
  e: Omit<Explanation, 'rule' | 'ruleVersion'>,
  action: RecommendedAction | null,
): AlertCandidate {
  return { type, severity, score, explanation: { rule: type, ruleVersion: rules.version, ...e }, action };
}

function commonInputs(s: ItemLocationState) {
  return {
    onHand: s.onHand,
    inTransit: s.inTransit,
    position: s.position,
    dailyMean: Number(f(s.demand.dailyMean, 3)),
    dailySd: Number(f(s.demand.dailySd, 3)),
    model: s.demand.model,
    demandClass: s.demand.demandClass,
    leadTimeMeanDays: Number(f(s.leadTime.meanDays)),
    leadTimeSdDays: Number(f(s.leadTime.sdDays)),
    leadTimeSource: s.leadTime.source,
    serviceLevel: s.serviceLevel,
  };
}

/**
 * Applies the organisation's rules to one item-location. Pure: the same state and rules always
 * give the same alerts, which is what makes the worker's recalculation idempotent.
 */
export function evaluateAlerts(s: ItemLocationState, rules: RuleSet): AlertCandidate[] {
  const out: AlertCandidate[] = [];
  const vital = s.item.ved === 'V';
  const subs = substituteNote(s);
  const name = {
    zh: `${s.item.nameZh}（${s.location.siteName}·${s.location.name}）`,
    en: `${s.item.nameEn} (${s.location.siteName} · ${s.location.name})`,
  };
  const inputs = commonInputs(s);
  const p = s.stockoutProbability;
  const u = unitWords(s);
  const how = forecastNote(s);

  // Zero on-hand is always an alert, with or without a forecast: a new clinic has no history yet,
  // and "no forecast" must never read as "no problem". It is critical when the item is expected
  // to be used (a forecast, a par minimum, or a vital item) and high otherwise.
  if (rules.stockedOut.enabled && s.onHand <= 0) {
    const expectedUse = s.demand.dailyMean > 0 || (s.parMin ?? 0) > 0 || vital;
    const basis =
      s.demand.dailyMean > 0
        ? {
            zh: `预测日用量 ${f(s.demand.dailyMean)} ${u.zh}`,
            en: `forecast ${f(s.demand.dailyMean)} ${u.en}/day`,
          }
        : (s.parMin ?? 0) > 0
          ? { zh: `最低库存 ${s.parMin} ${u.zh}`, en: `par minimum ${s.parMin} ${u.en}` }
          : { zh: '尚无用量记录', en: 'no usage recorded yet' };
    const transit =
      s.inTransit > 0
        ? { zh: `在途 ${s.inTransit} ${u.zh}。`, en: ` ${s.inTransit} ${u.en} in transit.` }
        : { zh: '无在途。', en: ' Nothing in transit.' };
    out.push(
      candidate(
        rules,
        'stocked_out',
        expectedUse ? 'critical' : 'high',
        1,
        {
          threshold: { onHand: 0 },
          inputs: { ...inputs, parMin: s.parMin },
          formula: 'on-hand ≤ 0',
          substituted: `on-hand = ${s.onHand}, d̄ = ${f(s.demand.dailyMean, 3)}/day, par min = ${s.parMin ?? '—'}`,
          text: {
            zh: `${name.zh}已缺货：在库 0（${basis.zh}）。${transit.zh}${subs.zh}`,
            en: `${name.en} is out of stock: 0 on hand (${basis.en}).${transit.en}${subs.en}`,
          },
        },
        replenishAction(s),
      ),
    );
  }

  const maxP = rules.stockoutRisk.maxProbability[s.item.ved];
  const within = s.stockoutWithinHorizon;
  // Say which number went through the organisation's calibration map (fitted on its own backtest).
  const note = (calibrated: boolean) =>
    calibrated
      ? { zh: '（已按本机构回测结果校准）', en: ' (calibrated on this organisation’s own backtest)' }
      : { zh: '', en: '' };
  const withinNote =
    within.value === null
      ? { zh: '', en: '' }
      : {
          zh: `${within.horizonDays} 天内缺货概率 ${pct(within.value)}${note(within.calibrated).zh}。`,
          en: ` ${pct(within.value)} chance of running out within ${within.horizonDays} days${note(within.calibrated).en}.`,
        };
  const calibratedNote = note(p.calibrated);
  if (rules.stockoutRisk.enabled && s.onHand > 0 && p.value !== null && p.value > maxP) {
    const pv = p.value;
    const severity: Severity =
      pv >= 0.5 || (vital && pv >= 0.2) ? 'critical' : pv >= 0.2 || vital ? 'high' : 'medium';
    out.push(
      candidate(
        rules,
        'stockout_risk',
        severity,
        pv,
        {
          threshold: { maxProbability: maxP, ved: s.item.ved },
          inputs: {
            ...inputs,
            stockoutProbability: Number(f(pv, 4)),
            stockoutWithinHorizon: within.value === null ? null : Number(f(within.value, 4)),
            horizonDays: within.horizonDays,
            distribution: p.distribution,
          },
          formula: p.formula,
          substituted: p.substituted,
          text: {
            zh: `${name.zh}在下次到货前缺货概率 ${pct(pv)}，超过 ${s.item.ved} 类阈值 ${pct(maxP)}${calibratedNote.zh}。${withinNote.zh}可用库存 ${s.position} ${u.zh}（在库 ${s.onHand} + 在途 ${s.inTransit}），到货前需求 ${distributionZh(p.distribution)}。可用 ${f(s.daysCover.value, 1)} 天（${f(s.daysCover.low, 1)}–${f(s.daysCover.high, 1)}）。${how.zh}${subs.zh}`,
            en: `${name.en}: ${pct(pv)} chance of running out before the next possible receipt, above the ${s.item.ved}-class limit of ${pct(maxP)}${calibratedNote.en}.${withinNote.en} Position ${s.position} (on hand ${s.onHand} + in transit ${s.inTransit}); demand until a receipt ${p.distribution}. Cover ${f(s.daysCover.value, 1)} days (${f(s.daysCover.low, 1)}–${f(s.daysCover.high, 1)}).${how.en}${subs.en}`,
          },
        },
        replenishAction(s),
      ),
    );
  }

  // The par minimum is the clinic's own floor: it warns from day one, before any history exists.
  const parMin = s.parMin ?? 0;
  if (rules.belowParMinimum.enabled && s.onHand > 0 && parMin > 0 && s.position < parMin) {
    out.push(
      candidate(
        rules,
        'below_par_minimum',
        vital ? 'high' : 'medium',
        (parMin - s.position) / parMin,
        {
          threshold: { parMin },
          inputs: { ...inputs, parMin },
          formula: 'position < par minimum',
          substituted: `${s.position} < ${parMin}`,
          text: {
            zh: `${name.zh}可用库存 ${s.position} ${u.zh}（在库 ${s.onHand} + 在途 ${s.inTransit}）低于最低库存 ${parMin} ${u.zh}。${subs.zh}`,
            en: `${name.en}: position ${s.position} ${u.en} (on hand ${s.onHand} + in transit ${s.inTransit}) is below the par minimum of ${parMin} ${u.en}.${subs.en}`,
          },
        },
        replenishAction(s),
      ),
    );
  }

  if (
    rules.belowSafetyStock.enabled &&
    s.onHand > 0 &&
    s.position < s.safetyStock.value &&
    s.safetyStock.value > 0
  ) {
    out.push(
      candidate(
        rules,
        'below_safety_stock',
        vital ? 'high' : 'medium',
        (s.safetyStock.value - s.position) / s.safetyStock.value,
        {
          threshold: { safetyStock: Number(f(s.safetyStock.value)) },
          inputs: {
            ...inputs,
            safetyStock: Number(f(s.safetyStock.value)),
            reorderPoint: Number(f(s.reorderPoint.value)),
          },
          formula: s.safetyStock.formula,
          substituted: s.safetyStock.substituted,
          text: {
            zh: `${name.zh}可用库存 ${s.position} ${u.zh} 低于安全库存 ${whole(s.safetyStock.value)} ${u.zh}（${s.safetyStock.substituted}）。再订货点 ${whole(s.reorderPoint.value)} ${u.zh}。${how.zh}${subs.zh}`,
            en: `${name.en}: position ${s.position} ${u.en} is below safety stock ${whole(s.safetyStock.value)} ${u.en} (${s.safetyStock.substituted}). Reorder point ${whole(s.reorderPoint.value)} ${u.en}.${how.en}${subs.en}`,
          },
        },
        replenishAction(s),
      ),
    );
  }

  if (rules.expired.enabled) {
    for (const lot of s.expiredLots) {
      out.push(
        candidate(
          rules,
          'expired',
          'high',
          lot.onHand * s.item.unitCost,
          {
            threshold: { expiryDate: s.today },
            inputs: {
              lotNumber: lot.lotNumber,
              expiryDate: lot.expiryDate,
              onHand: lot.onHand,
              value: Number(f(lot.onHand * s.item.unitCost)),
            },
            formula: 'expiry date < today and on-hand > 0',
            substituted: `${lot.expiryDate} < ${s.today}, ${lot.onHand} on hand`,
            text: {
              zh: `${name.zh}批次 ${lot.lotNumber} 已于 ${lot.expiryDate} 过期，仍有 ${lot.onHand} ${u.zh}，不可发放，请报损。`,
              en: `${name.en}: lot ${lot.lotNumber} expired on ${lot.expiryDate} with ${lot.onHand} ${u.en} left; it cannot be issued — write it off.`,
            },
          },
          {
            kind: 'write_off',
            lotNumber: lot.lotNumber,
            quantityBase: lot.onHand,
            text: {
              zh: `报损批次 ${lot.lotNumber} 共 ${lot.onHand} ${u.zh}。`,
              en: `Write off lot ${lot.lotNumber} (${lot.onHand} ${u.en}).`,
            },
          },
        ),
      );
    }
  }

  if (rules.expiryRisk.enabled) {
    // Usage unknown (a new clinic or item: too little history and no prior, so no probability
    // either): what will be left at expiry cannot be told, and "all of it" would flag every lot of a
    // new clinic. Then only lots expiring within the rule's horizon are flagged (issue 11).
    const usageUnknown = s.stockoutProbability.value === null;
    const atRisk = s.expiryRisk.filter(
      (l) =>
        l.atRiskQty > 0 &&
        l.atRiskValue >= rules.expiryRisk.minValue &&
        (!usageUnknown ||
          (l.expiryDate !== null && daysBetween(s.today, l.expiryDate) <= rules.expiryRisk.horizonDays)),
    );
    if (atRisk.length) {
      const qty = atRisk.reduce((a, l) => a + l.atRiskQty, 0);
      const value = atRisk.reduce((a, l) => a + l.atRiskValue, 0);
      const first = atRisk[0]!;
      out.push(
        candidate(
          rules,
          'expiry_risk',
          value > 1000 ? 'high' : 'medium',
          value,
          {
            threshold: { horizonDays: rules.expiryRisk.horizonDays, minValue: rules.expiryRisk.minValue },
            inputs: {
              ...inputs,
              lots: atRisk.map((l) => `${l.lotNumber}@${l.expiryDate}:${l.atRiskQty}`).join(' '),
              atRiskQty: qty,
              atRiskValue: Number(f(value)),
            },
            formula:
              'lots consumed FEFO at d̄ per day; left at expiry = max(0, lot − (d̄ · days to expiry − earlier lots))',
            substituted: `d̄ = ${f(s.demand.dailyMean, 3)}/day → ${qty} ${s.item.baseUnit} (¥${f(value)}) left at expiry`,
            text: {
              zh: `${name.zh}按先到期先出和预测日用量 ${f(s.demand.dailyMean)} ${u.zh}，到期时仍将剩余 ${qty} ${u.zh}（约 ¥${f(value)}），最早批次 ${first.lotNumber} 于 ${first.expiryDate} 到期。`,
              en: `${name.en}: consumed first-expiry-first-out at ${f(s.demand.dailyMean)} ${u.en}/day, ${qty} ${u.en} (≈¥${f(value)}) will be left at expiry; earliest lot ${first.lotNumber} expires ${first.expiryDate}.`,
            },
          },
          s.transferSource === null
            ? {
                kind: 'use_lot_first',
                lotNumber: first.lotNumber,
                expiryDate: first.expiryDate,
                text: {
                  zh: `优先使用批次 ${first.lotNumber}，或调拨至用量更大的院区。`,
                  en: `Use lot ${first.lotNumber} first, or transfer it to a site that uses more.`,
                },
              }
            : null,
        ),
      );
    }
  }

  const overstockLevel = Math.max(s.orderUpTo * rules.overstock.factorOverOrderUpTo, s.parMax ?? 0);
  if (
    rules.overstock.enabled &&
    s.position > overstockLevel &&
    s.daysCover.value > rules.overstock.minDaysCover &&
    s.demand.dailyMean > 0
  ) {
    out.push(
      candidate(
        rules,
        'overstock',
        'low',
        s.position - overstockLevel,
        {
          threshold: { level: Number(f(overstockLevel)), minDaysCover: rules.overstock.minDaysCover },
          inputs: {
            ...inputs,
            orderUpTo: Number(f(s.orderUpTo)),
            parMax: s.parMax,
            daysCover: Number(f(s.daysCover.value, 1)),
          },
          formula: `position > max(${rules.overstock.factorOverOrderUpTo} · S, par max) and cover > ${rules.overstock.minDaysCover} days`,
          substituted: `${s.position} > ${f(overstockLevel)}; cover ${f(s.daysCover.value, 1)} days`,
          text: {
            zh: `${name.zh}库存过多：可用库存 ${s.position} ${u.zh}，高于 ${whole(overstockLevel)} ${u.zh}，可用 ${f(s.daysCover.value, 0)} 天。`,
            en: `${name.en} is overstocked: position ${s.position} ${u.en} above ${whole(overstockLevel)} ${u.en}, ${f(s.daysCover.value, 0)} days of cover.`,
          },
        },
        null,
      ),
    );
  }

  if (
    rules.deadStock.enabled &&
    s.onHand > 0 &&
    s.lastIssueDaysAgo !== null &&
    s.lastIssueDaysAgo >= rules.deadStock.daysWithoutIssue
  ) {
    out.push(
      candidate(
        rules,
        'dead_stock',
        'low',
        s.onHand * s.item.unitCost,
        {
          threshold: { daysWithoutIssue: rules.deadStock.daysWithoutIssue },
          inputs: {
            onHand: s.onHand,
            lastIssueDaysAgo: s.lastIssueDaysAgo,
            value: Number(f(s.onHand * s.item.unitCost)),
          },
          formula: 'on-hand > 0 and no issue for N days',
          substituted: `${s.onHand} on hand, last issue ${s.lastIssueDaysAgo ?? 'never'} days ago ≥ ${rules.deadStock.daysWithoutIssue}`,
          text: {
            zh: `${name.zh}呆滞：在库 ${s.onHand}，${s.lastIssueDaysAgo === null ? '从未' : `${s.lastIssueDaysAgo} 天未`}领用。`,
            en: `${name.en} is dead stock: ${s.onHand} on hand, ${s.lastIssueDaysAgo === null ? 'never issued' : `no issue for ${s.lastIssueDaysAgo} days`}.`,
          },
        },
        null,
      ),
    );
  }

  if (rules.consumptionAnomaly.enabled && s.pendingAnomalies.length) {
    const a = s.pendingAnomalies[0]!;
    out.push(
      candidate(
        rules,
        'consumption_anomaly',
        'medium',
        s.pendingAnomalies.length,
        {
          threshold: { robustZ: 5 },
          inputs: {
            date: a.date,
            quantity: a.quantity,
            expected: Number(f(a.expected)),
            count: s.pendingAnomalies.length,
          },
          formula: '|x − median| / (1.4826 · MAD) > threshold',
          substituted: `${a.date}: ${a.quantity} vs expected ${f(a.expected)}`,
          text: {
            zh: `${name.zh}用量异常待复核：${a.date} 领用 ${a.quantity}，预期约 ${f(a.expected)}。复核前不计入预测。`,
            en: `${name.en}: unusual consumption awaiting review — ${a.quantity} on ${a.date} against about ${f(a.expected)} expected. Kept out of the forecast until accepted.`,
          },
        },
        { kind: 'review', text: { zh: '请复核并接受或驳回。', en: 'Review it and accept or reject it.' } },
      ),
    );
  }

  if (rules.latePurchaseOrder.enabled) {
    for (const po of s.latePurchaseOrders.filter((x) => x.daysLate > rules.latePurchaseOrder.graceDays)) {
      out.push(
        candidate(
          rules,
          'late_purchase_order',
          vital ? 'high' : 'medium',
          po.daysLate,
          {
            threshold: { graceDays: rules.latePurchaseOrder.graceDays },
            inputs: {
              purchaseOrder: po.number,
              expectedAt: po.expectedAt,
              daysLate: po.daysLate,
              supplier: po.supplierName,
            },
            formula: 'today − expected receipt date > grace days',
            substituted: `${s.today} − ${po.expectedAt} = ${po.daysLate} days > ${rules.latePurchaseOrder.graceDays}`,
            text: {
              zh: `采购单 ${po.number}（${po.supplierName}）的${s.item.nameZh}已逾期 ${po.daysLate} 天。`,
              en: `Purchase order ${po.number} (${po.supplierName}) for ${s.item.nameEn} is ${po.daysLate} days late.`,
            },
          },
          {
            kind: 'chase_supplier',
            purchaseOrderId: po.id,
            text: { zh: `催促 ${po.supplierName} 交货。`, en: `Chase ${po.supplierName}.` },
          },
        ),
      );
      break; // one open alert per type, item and location
    }
  }

  const d = s.leadTimeDrift;
  if (rules.leadTimeDrift.enabled && d && d.historyMeanDays > 0) {
    const inc = d.driftDays;
    if (
      inc >= rules.leadTimeDrift.minDays &&
      inc / d.historyMeanDays >= rules.leadTimeDrift.minRelativeIncrease
    ) {
      out.push(
        candidate(
          rules,
          'lead_time_drift',
          'medium',
          inc / d.historyMeanDays,
          {
            threshold: {
              minRelativeIncrease: rules.leadTimeDrift.minRelativeIncrease,
              minDays: rules.leadTimeDrift.minDays,
            },
            inputs: {
              recentMeanDays: Number(f(d.recentMeanDays)),
              historyMeanDays: Number(f(d.historyMeanDays)),
              driftDays: Number(f(d.driftDays)),
              recentN: d.recentN,
            },
            formula:
              'recent mean lead time − historical mean ≥ max(min days, min relative increase · historical mean)',
            substituted: `${f(d.recentMeanDays)} − ${f(d.historyMeanDays)} = ${f(inc)} days (+${pct(inc / d.historyMeanDays)})`,
            text: {
              zh: `${s.item.nameZh}的交期变长：近期平均 ${f(d.recentMeanDays, 1)} 天，历史 ${f(d.historyMeanDays, 1)} 天；安全库存已按新交期重算。`,
              en: `Lead time for ${s.item.nameEn} is drifting up: recent mean ${f(d.recentMeanDays, 1)} days vs ${f(d.historyMeanDays, 1)} historically; safety stock now uses the longer lead time.`,
            },
          },
          null,
        ),
      );
    }
  }
  return out;
}
