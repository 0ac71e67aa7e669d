import type { ExplainedValue, ItemLocationState } from '../alerts/item-location-state.ts';
import type { DemandOutlook, OutlookInput } from '../forecast/outlook-types.ts';
import { demandUntilReceipt } from '../policy/demand-until-receipt.ts';
import { fmt } from '../policy/explain.ts';
import {
  daysOfCover,
  economicOrderQuantity,
  estimateLeadTime,
  expiryRisk,
  roundOrderQuantity,
} from '../policy/index.ts';
import type { LeadTimeDrift } from '../policy/lead-time-drift.ts';
import { type ProbabilityRecalibration, stockoutRisk } from '../policy/stockout-risk.ts';
import type { EngineInput, EngineSettings, Outlooker } from './engine-input.ts';
import { withPlannedDemand } from './planned-outlook.ts';

const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;
const finiteOr = (x: number, fallback: number) => (Number.isFinite(x) ? x : fallback);

/** The lead-time estimate's drift (core's one definition) for the alert, null while undefined. */
function definedDrift(d: LeadTimeDrift): ItemLocationState['leadTimeDrift'] {
  if (d.driftDays === null || d.recentMeanDays === null || d.historyMeanDays === null) return null;
  return {
    recentMeanDays: d.recentMeanDays,
    historyMeanDays: d.historyMeanDays,
    recentN: d.recentN,
    driftDays: d.driftDays,
  };
}

/**
 * Days of history without any demand after which "no demand" is itself evidence (the forecast of
 * zero is then a finding). Below it, with no demand seen and no prior, the demand is unknown and so
 * is every probability: null, shown as unknown — never 0.
 */
export const MIN_EVIDENCE_DAYS = 28;

export interface ComputedPolicy {
  state: ItemLocationState;
  eoq: number | null;
  forecast: number[];
  modelScore: number | null;
  grain: string | null;
  /** Point model of the outlook (as state.demand.model), null without an outlook. */
  model: string | null;
  family: string | null;
  /**
   * True when model and family were selected afresh by rolling-origin backtest in this run (store
   * them as the next EngineInput.previousChoice); false when input.previousChoice was refitted
   * without selection, or when there was no outlook at all (model null).
   */
  reselected: boolean;
}

/** Recalibration maps learnt from the organisation's own backtest, per horizon (none: raw probabilities). */
export interface EngineRecalibration {
  beforeReceipt?: ProbabilityRecalibration | null;
  withinDays?: ProbabilityRecalibration | null;
}

/** What the outlook is asked for an item-location: its series, what to leave out, its prior, a stored choice. */
export function outlookInputOf(input: EngineInput, horizonDays: number): OutlookInput {
  return {
    history: input.history,
    startDate: input.historyStartDate,
    censored: input.stockoutDays,
    excluded: input.excludedDays,
    prior: input.prior ?? null,
    horizonDays,
    reuse: input.previousChoice ?? null,
  };
}

/**
 * The engine for one item at one location: the demand outlook (grain, model and distribution
 * family chosen on the series' own past), lead time, the distribution of demand until an order
 * placed today arrives, safety stock, reorder point, order-up-to level, order quantity, the
 * stockout probability over two named horizons (before the next possible receipt; within N
 * days, open orders arriving at their expected dates), days of cover and expiry risk — each with
 * the formula and its numbers, so alerts can explain themselves.
 */
export function computeItemLocation(
  input: EngineInput,
  settings: EngineSettings,
  outlooker: Outlooker,
  recalibration: EngineRecalibration = {},
): ComputedPolicy {
  const hasEvidence =
    input.history.some((x) => x > 0) || input.history.length >= MIN_EVIDENCE_DAYS || Boolean(input.prior);
  const raw: DemandOutlook | null = hasEvidence
    ? outlooker(outlookInputOf(input, settings.horizonDays))
    : null;
  const outlook = raw ? withPlannedDemand(raw, input.planned) : null;
  const daily = outlook ? [...outlook.daily] : Array<number>(settings.horizonDays).fill(0);
  const lt = estimateLeadTime(input.leadTimes.observedDays, { nominalDays: input.leadTimes.nominalDays });
  const L = Math.max(lt.mean.value, 0);
  const sdL = lt.sd.value;
  const window = Math.max(1, Math.ceil(L));
  const dBar = daily.slice(0, window).reduce((a, b) => a + b, 0) / window;
  const dL = outlook ? demandUntilReceipt(outlook, { meanDays: L, sdDays: sdL }) : null;
  // σ of one day's demand implied by the outlook over the lead-time window (demand alone, without
  // the lead time's own spread), for cover ranges and the explanation.
  const sigmaD = outlook ? outlook.total(0, window).sd / Math.sqrt(window) : 0;
  const sl = settings.serviceLevel;

  const ropValue = dL ? dL.quantile(sl) : 0;
  const ssValue = dL ? ropValue - dL.mean : 0;
  const safetyStock: ExplainedValue = {
    value: r3(ssValue),
    formula: 'SS = F⁻¹_{D_L}(CSL) − E[D_L]',
    substituted: dL
      ? `SS = ${fmt(ropValue)} − ${fmt(dL.mean)} = ${fmt(ssValue)}`
      : 'SS = 0 (no demand evidence yet)',
  };
  const reorderPoint: ExplainedValue = {
    value: r3(ropValue),
    formula: 'ROP = F⁻¹_{D_L}(CSL), D_L = demand until an order placed today arrives',
    substituted: dL
      ? `ROP = ${dL.label}⁻¹(${fmt(sl, 3)}) = ${fmt(ropValue)}`
      : 'ROP = 0 (no demand evidence yet)',
  };
  const reviewDemand = outlook ? outlook.total(L, L + settings.reviewPeriodDays).mean : 0;
  const orderUpTo = ropValue + reviewDemand;

  const position = input.onHand + input.inTransit;
  const arrivals = input.arrivals.map((a) => ({ day: a.day ?? L, qty: a.quantity }));
  const risk = stockoutRisk({
    onHand: input.onHand,
    inTransit: arrivals,
    outlook,
    leadTime: { meanDays: L, sdDays: sdL },
    horizonDays: settings.riskHorizonDays,
    recalibration,
  });
  const stockout = {
    value: risk.beforeReceipt.value === null ? null : r3(risk.beforeReceipt.value),
    formula: risk.beforeReceipt.formula.en,
    substituted: risk.beforeReceipt.substituted.en,
    distribution: dL?.label ?? 'unknown',
    calibrated: risk.beforeReceipt.recalibrated,
  };
  const withinHorizon = {
    value: risk.withinDays.value === null ? null : r3(risk.withinDays.value),
    formula: risk.withinDays.formula.en,
    substituted: risk.withinDays.substituted.en,
    horizonDays: settings.riskHorizonDays,
    calibrated: risk.withinDays.recalibrated,
  };

  const eoq = economicOrderQuantity({
    annualDemand: 365 * dBar,
    orderCost: settings.orderCost,
    holdingCostPerUnitYear: input.item.unitCost * settings.holdingRatePerYear,
  });
  // Order up to S (and at least up to the par minimum). EOQ is reported beside it but not forced:
  // for cheap items it can mean half a year of stock, which the overstock rule would then flag.
  const target = Math.max(orderUpTo, input.parMin ?? 0);
  const need = Math.max(0, target - position);
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
  const risky = expiryRisk(
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
    demand: {
      dailyMean: dBar,
      dailySd: sigmaD,
      model: outlook ? outlook.model : 'none',
      demandClass: outlook ? outlook.demandClass : 'none',
    },
    leadTime: { meanDays: L, sdDays: sdL, source: lt.n > 0 ? 'history' : 'nominal', observations: lt.n },
    serviceLevel: sl,
    safetyStock,
    reorderPoint,
    orderUpTo: r3(orderUpTo),
    stockoutProbability: stockout,
    stockoutWithinHorizon: withinHorizon,
    daysCover,
    order,
    expiryRisk: risky.lots
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
    parMin: input.parMin,
    pendingAnomalies: input.pendingAnomalies,
    latePurchaseOrders: input.latePurchaseOrders,
    leadTimeDrift: definedDrift(lt.drift),
    substitutesInStock: input.substitutesInStock,
    transferSource: input.transferSource,
  };
  return {
    state,
    eoq: eoq.value > 0 ? r2(eoq.value) : null,
    forecast: daily.map(r3),
    modelScore: outlook?.score ?? null,
    grain: outlook?.grain ?? null,
    model: outlook?.model ?? null,
    family: outlook?.family ?? null,
    reselected: raw ? raw.reselected !== false : false,
  };
}
