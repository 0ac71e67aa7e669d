import type { ExplainedValue, ItemLocationState } from '../alerts/item-location-state.ts';
import type { DemandClass } from '../forecast/types.ts';
import {
  daysOfCover,
  economicOrderQuantity,
  estimateLeadTime,
  expiryRisk,
  itemReorderPoint,
  roundOrderQuantity,
  stockoutProbability,
} from '../policy/index.ts';
import type { EngineInput, EngineSettings, Forecaster } from './engine-input.ts';

const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const finiteOr = (x: number, fallback: number) => (Number.isFinite(x) ? x : fallback);

/** Recent lead times against the earlier ones, for the lead-time drift alert. */
function leadTimeDrift(observed: number[]) {
  const recent = observed.slice(-3);
  const earlier = observed.slice(0, -3);
  if (earlier.length < 2) return null;
  const avg = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return { recentMeanDays: avg(recent), historyMeanDays: avg(earlier), recentN: recent.length };
}

export interface ComputedPolicy {
  state: ItemLocationState;
  modelSelected: boolean;
  eoq: number | null;
  forecast: number[];
  modelScore: number | null;
}

/**
 * The engine for one item at one location: forecast (model chosen per series), lead time,
 * lead-time demand distribution, safety stock, reorder point, order-up-to level, order quantity,
 * stockout probability before the next possible receipt, days of cover and expiry risk — each
 * with the formula and its numbers, so alerts can explain themselves.
 */
export function computeItemLocation(
  input: EngineInput,
  settings: EngineSettings,
  forecaster: Forecaster,
): ComputedPolicy {
  const fc = forecaster(input.history, {
    horizon: settings.horizonDays,
    censored: input.stockoutDays,
    excluded: input.excludedDays,
    previousModel: input.previousModel,
  });
  const daily = fc.daily.map((d, i) => d + (input.planned[i] ?? 0));
  const lt = estimateLeadTime(input.leadTimes.observedDays, { nominalDays: input.leadTimes.nominalDays });
  const L = Math.max(lt.mean.value, 0);
  const sdL = lt.sd.value;
  const window = Math.max(1, Math.ceil(L));
  const dBar = daily.slice(0, window).reduce((a, b) => a + b, 0) / window;
  const sigmaD = fc.residualSd;
  const demandClass: DemandClass =
    (['smooth', 'erratic', 'intermittent', 'lumpy'] as const).find((c) => c === fc.demandClass) ?? 'smooth';
  const sl = settings.serviceLevel;
  const rop = itemReorderPoint({
    demandClass,
    serviceLevel: sl,
    dailyMean: dBar,
    dailySd: sigmaD,
    leadTimeMean: L,
    leadTimeSd: sdL,
  });
  const safetyStock: ExplainedValue = rop.safetyStockDetail
    ? {
        value: r3(rop.safetyStockDetail.value),
        formula: rop.safetyStockDetail.formula,
        substituted: rop.safetyStockDetail.substituted,
      }
    : {
        value: r3(rop.inputs.safetyStock),
        formula: 'SS = F⁻¹_{D_L}(CSL) − E[D_L]',
        substituted: `SS = ${r2(rop.value)} − ${r2(rop.distribution.mean)} = ${r2(rop.inputs.safetyStock)}`,
      };
  const reorderPoint: ExplainedValue = {
    value: r3(rop.value),
    formula: rop.formula,
    substituted: rop.substituted,
  };
  const reviewDemand = daily.slice(window, window + settings.reviewPeriodDays).reduce((a, b) => a + b, 0);
  const orderUpTo = rop.value + reviewDemand;

  const position = input.onHand + input.inTransit;
  const p = stockoutProbability(position, rop.distribution);
  const stockout = {
    value: r3(p.value),
    formula: p.formula,
    substituted: p.substituted,
    distribution: rop.distribution.label,
  };

  const eoq = economicOrderQuantity({
    annualDemand: 365 * dBar,
    orderCost: settings.orderCost,
    holdingCostPerUnitYear: input.item.unitCost * settings.holdingRatePerYear,
  });
  // Order up to S. EOQ is reported beside it but not forced: for cheap items it can mean half a
  // year of stock, which the overstock rule would then flag at once.
  const need = Math.max(0, orderUpTo - position);
  let order: ItemLocationState['order'] = null;
  if (need > 0) {
    const packSize = input.supplier?.packSize ?? 1;
    const q = roundOrderQuantity(need, { packSize, moq: (input.supplier?.moqPacks ?? 1) * packSize });
    order = {
      quantityBase: q.value,
      packs: q.inputs.packs,
      packSize,
      supplierId: input.supplier?.id ?? null,
      supplierName: input.supplier?.name ?? null,
    };
  }
  const cover = daysOfCover({ position, dailyRate: dBar, dailySd: sigmaD });
  const daysCover = {
    value: r2(finiteOr(cover.value, 9999)),
    low: r2(finiteOr(cover.inputs.low, 9999)),
    high: r2(finiteOr(cover.inputs.high, 9999)),
  };
  const risk = expiryRisk(
    input.lots
      .filter((l) => l.onHand > 0 && l.expiryDate !== null && l.expiryDate >= input.today)
      .map((l) => ({
        lot: l.lotNumber,
        qty: l.onHand,
        expiry: l.expiryDate!,
        unitCost: input.item.unitCost,
      })),
    dBar,
    { asOf: input.today },
  );
  const expiryDateOf = new Map(input.lots.map((l) => [l.lotNumber, l.expiryDate]));
  const expired = input.lots.filter(
    (l) => l.onHand > 0 && l.expiryDate !== null && l.expiryDate < input.today,
  );

  const state: ItemLocationState = {
    today: input.today,
    item: input.item,
    location: input.location,
    onHand: input.onHand,
    inTransit: input.inTransit,
    position,
    demand: { dailyMean: dBar, dailySd: sigmaD, model: fc.model, demandClass: fc.demandClass },
    leadTime: { meanDays: L, sdDays: sdL, source: lt.n > 0 ? 'history' : 'nominal', observations: lt.n },
    serviceLevel: sl,
    safetyStock,
    reorderPoint,
    orderUpTo: r3(orderUpTo),
    stockoutProbability: stockout,
    daysCover,
    order,
    expiryRisk: risk.lots
      .filter((l) => l.qtyAtRisk > 0 && l.expiryDay <= settings.horizonDays)
      .map((l) => ({
        lotNumber: l.lot,
        expiryDate: expiryDateOf.get(l.lot)!,
        onHand: l.qty,
        atRiskQty: Math.ceil(l.qtyAtRisk),
        atRiskValue: r2(l.valueAtRisk),
      })),
    expiredLots: expired.map((l) => ({
      lotNumber: l.lotNumber,
      expiryDate: l.expiryDate!,
      onHand: l.onHand,
    })),
    lastIssueDaysAgo: input.lastIssueDaysAgo,
    parMax: input.parMax,
    pendingAnomalies: input.pendingAnomalies,
    latePurchaseOrders: input.latePurchaseOrders,
    leadTimeDrift: leadTimeDrift(input.leadTimes.observedDays),
    substitutesInStock: input.substitutesInStock,
    transferSource: input.transferSource,
  };
  return {
    state,
    modelSelected: fc.selected,
    eoq: eoq.value > 0 ? r2(eoq.value) : null,
    forecast: daily.map(r3),
    modelScore: fc.score,
  };
}
