import { classifyDemand } from '../forecast/classify.ts';
import { combine } from '../forecast/combine.ts';
import { defaultPool } from '../forecast/default-pool.ts';
import { prepareHistory } from '../forecast/prepare.ts';
import { selectModel } from '../forecast/select-model.ts';
import type { Model } from '../forecast/types.ts';
import type { DemandForecast, Forecaster } from './engine-input.ts';

/** The horizon the model choice is optimised for (four weeks ahead). */
const SELECTION_HORIZON = 28;

function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(cur);
      cur = '';
    } else cur += ch;
  }
  parts.push(cur);
  return parts;
}

/** Rebuilds a stored model choice (a pool model or a mean of pool models) by its name. */
export function modelByName(name: string, pool: Model[]): Model | undefined {
  const direct = pool.find((m) => m.name === name);
  if (direct) return direct;
  const m = name.match(/^mean\((.*)\)$/);
  if (!m) return undefined;
  const parts = splitTopLevel(m[1]!).map((n) => pool.find((p) => p.name === n));
  return parts.every(Boolean) ? combine(parts as Model[]) : undefined;
}

/**
 * The engine's forecaster: the model chosen per series by a rolling-origin backtest
 * (core/src/forecast selectModel). A choice made recently (`previousModel`) is refitted
 * instead of re-selected, so event-driven recalculations and daily runs stay cheap; the worker
 * re-selects when the stored choice is older than a week. Censored (stockout) days and
 * anomalies awaiting review are treated as missing.
 */
export const selectingForecaster: Forecaster = (history, { horizon, censored, excluded, previousModel }) => {
  if (history.length === 0 || history.every((x) => x === 0)) {
    return {
      model: 'none',
      demandClass: 'none',
      score: null,
      daily: Array(horizon).fill(0),
      residualSd: 0,
      selected: false,
    };
  }
  const fitOptions = { censored, exclude: excluded };
  if (previousModel) {
    const classification = classifyDemand(prepareHistory(history, { censored }));
    const model = modelByName(previousModel.name, defaultPool(classification, SELECTION_HORIZON));
    if (model) {
      const fit = model.fit(history, fitOptions);
      return {
        model: model.name,
        demandClass: classification.class,
        score: previousModel.score,
        daily: fit.forecast(horizon),
        residualSd: fit.residualSd,
        selected: false,
      };
    }
  }
  const sel = selectModel(history, { horizon: SELECTION_HORIZON, fitOptions });
  const f: DemandForecast = {
    model: sel.modelName,
    demandClass: sel.class,
    score: Number.isFinite(sel.score) ? sel.score : null,
    daily: sel.forecast(horizon),
    residualSd: sel.residualSd,
    selected: true,
  };
  return f;
};
