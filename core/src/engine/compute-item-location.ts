import type { Explained, ItemLocationState } from '../alerts/item-location-state.ts';
import { negBinCdf, negBinQuantile, normalCdf, normalInv, poissonCdf, poissonQuantile } from '../stats/index.ts';
import type { EngineInput, EngineSettings, Forecaster } from './engine-input.ts';
import { estimateLeadTime } from './lead-time.ts';

const r2 = (x: number) => Math.round(x * 100) / 100;
const r3 = (x: number) => Math.round(x * 1000) / 1000;

export interface LeadTimeDemand {
  mean: number;
  sd: number;
  name: string;
  cdf(x: number): number;
  quantile(p: number): number;
}

/**
 * Demand over the lead time. Smooth series: normal with demand and lead-time variability.
 * Intermittent and lumpy series: negative binomial with the same mean and variance (Poisson when
 * the variance does not exceed the mean), because the normal puts mass below zero and
 * understates the chance of a large lumpy order.
 */
export function leadTimeDemand(demandClass: string, mu: number, variance: number): LeadTimeDemand {
  const sd = Math.sqrt(Math.max(variance, 0));
  if (demandClass === 'intermittent' || demandClass === 'lumpy') {
    if (variance > mu * 1.0001) {
      return {
        mean: mu, sd, name: `NegBin(μ=${r2(mu)}, σ=${r2(sd)})`,
        cdf: (x) => (x < 0 ? 0 : negBinCdf(Math.floor(x), mu, variance)),
        quantile: (p) => negBinQuantile(p, mu, variance),
      };
    }
    return { mean: mu, sd: Math.sqrt(mu), name: `Poisson(λ=${r2(mu)})`, cdf: (x) => (x < 0 ? 0 : poissonCdf(Math.floor(x), mu)), quantile: (p) => poissonQuantile(p, mu) };
  }
  return {
    mean: mu, sd, name: `Normal(μ=${r2(mu)}, σ=${r2(sd)})`,
    cdf: (x) => (sd === 0 ? (x >= mu ? 1 : 0) : normalCdf((x - mu) / sd)),
    quantile: (p) => mu + (sd === 0 ? 0 : normalInv(p) * sd),
  };
}

/** FEFO at the forecast rate: what is left of each lot on its expiry date. */
export function expiryRisk(lots: EngineInput['lots'], daily: number, today: string, horizonDays: number, unitCost: number) {
  const t0 = Date.parse(`${today}T00:00:00Z`);
  const sorted = lots.filter((l) => l.onHand > 0).sort((a, b) => (a.expiryDate ?? '9999').localeCompare(b.expiryDate ?? '9999'));
  let consumedBefore = 0;
  const out: ItemLocationState['expiryRisk'] = [];
  for (const lot of sorted) {
    if (!lot.expiryDate) break;
    const days = Math.round((Date.parse(`${lot.expiryDate}T00:00:00Z`) - t0) / 86_400_000);
    if (days < 0) continue;
    const usable = Math.max(0, daily * days - consumedBefore);
    const left = Math.max(0, Math.ceil(lot.onHand - usable - 1e-9));
    consumedBefore += lot.onHand - left;
    if (days <= horizonDays && left > 0) out.push({ lotNumber: lot.lotNumber, expiryDate: lot.expiryDate, onHand: lot.onHand, atRiskQty: left, atRiskValue: r2(left * unitCost) });
  }
  return out;
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
export function computeItemLocation(input: EngineInput, settings: EngineSettings, forecaster: Forecaster): ComputedPolicy {
  const fc = forecaster(input.history, { horizon: settings.horizonDays, censored: input.stockoutDays, excluded: input.excludedDays, previousModel: input.previousModel });
  const daily = fc.daily.map((d, i) => d + (input.planned[i] ?? 0));
  const lt = estimateLeadTime(input.leadTimes.observedDays, input.leadTimes.nominalDays);
  const L = Math.max(lt.meanDays, 0);
  const window = Math.max(1, Math.ceil(L));
  const leadWindow = daily.slice(0, window);
  const dBar = leadWindow.reduce((a, b) => a + b, 0) / window;
  const sigmaD = fc.residualSd;
  const mu = dBar * L;
  const variance = L * sigmaD ** 2 + dBar ** 2 * lt.sdDays ** 2;
  const dist = leadTimeDemand(fc.demandClass, mu, variance);
  const sl = settings.serviceLevel;
  const z = normalInv(sl);

  const normal = dist.name.startsWith('Normal');
  const ssValue = normal ? z * dist.sd : Math.max(0, dist.quantile(sl) - mu);
  const safetyStock: Explained = normal
    ? {
        value: r3(ssValue),
        formula: 'SS = z · √(L̄ · σd² + d̄² · σL²)',
        substituted: `SS = ${r3(z)} · √(${r2(L)} · ${r3(sigmaD)}² + ${r3(dBar)}² · ${r2(lt.sdDays)}²) = ${r2(ssValue)}`,
      }
    : {
        value: r3(ssValue),
        formula: `SS = Q(${sl}) of D_L − E[D_L], D_L ~ ${dist.name}`,
        substituted: `SS = ${dist.quantile(sl)} − ${r2(mu)} = ${r2(ssValue)}`,
      };
  const rop = mu + ssValue;
  const reorderPoint: Explained = { value: r3(rop), formula: 'ROP = d̄ · L̄ + SS', substituted: `ROP = ${r3(dBar)} · ${r2(L)} + ${r2(ssValue)} = ${r2(rop)}` };
  const reviewDemand = daily.slice(window, window + settings.reviewPeriodDays).reduce((a, b) => a + b, 0);
  const orderUpTo = rop + reviewDemand;

  const position = input.onHand + input.inTransit;
  const pOut = Math.min(1, Math.max(0, 1 - dist.cdf(position)));
  const stockoutProbability = {
    value: r3(pOut),
    formula: 'P(stockout) = P(D_L > IP) = 1 − F_DL(IP)',
    substituted: `P(D_L > ${position}) = 1 − F(${position}) = ${r3(pOut)}, D_L ~ ${dist.name}`,
    distribution: dist.name,
  };

  const annual = 365 * dBar;
  const holding = input.item.unitCost * settings.holdingRatePerYear;
  const eoq = annual > 0 && holding > 0 ? Math.sqrt((2 * annual * settings.orderCost) / holding) : null;
  let order: ItemLocationState['order'] = null;
  const need = Math.max(0, orderUpTo - position, position <= rop ? (eoq ?? 0) : 0);
  if (need > 0 && input.supplier) {
    const packs = Math.max(input.supplier.moqPacks, Math.ceil(need / input.supplier.packSize));
    order = { quantityBase: packs * input.supplier.packSize, packs, packSize: input.supplier.packSize, supplierId: input.supplier.id, supplierName: input.supplier.name };
  } else if (need > 0) {
    order = { quantityBase: Math.ceil(need), packs: Math.ceil(need), packSize: 1, supplierId: null, supplierName: null };
  }

  const cover = dBar > 0 ? position / dBar : Number.POSITIVE_INFINITY;
  const daysCover = {
    value: Number.isFinite(cover) ? r2(cover) : 9999,
    low: dBar + sigmaD > 0 ? r2(position / (dBar + sigmaD)) : 9999,
    high: dBar - sigmaD > 0 ? r2(position / (dBar - sigmaD)) : 9999,
  };
  const expired = input.lots.filter((l) => l.onHand > 0 && l.expiryDate !== null && l.expiryDate < input.today);

  const state: ItemLocationState = {
    today: input.today,
    item: input.item,
    location: input.location,
    onHand: input.onHand,
    inTransit: input.inTransit,
    position,
    demand: { dailyMean: dBar, dailySd: sigmaD, model: fc.model, demandClass: fc.demandClass },
    leadTime: { meanDays: L, sdDays: lt.sdDays, source: lt.source, observations: lt.observations },
    serviceLevel: sl,
    safetyStock,
    reorderPoint,
    orderUpTo: r3(orderUpTo),
    stockoutProbability,
    daysCover,
    order,
    expiryRisk: expiryRisk(input.lots, dBar, input.today, settings.horizonDays, input.item.unitCost),
    expiredLots: expired.map((l) => ({ lotNumber: l.lotNumber, expiryDate: l.expiryDate!, onHand: l.onHand })),
    lastIssueDaysAgo: input.lastIssueDaysAgo,
    parMax: input.parMax,
    pendingAnomalies: input.pendingAnomalies,
    latePurchaseOrders: input.latePurchaseOrders,
    leadTimeDrift: lt.drift,
    substitutesInStock: input.substitutesInStock,
    transferSource: input.transferSource,
  };
  return { state, modelSelected: fc.selected, eoq: eoq === null ? null : r2(eoq), forecast: daily.map(r3), modelScore: fc.score };
}
