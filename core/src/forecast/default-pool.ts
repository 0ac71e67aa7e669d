import { adida } from './adida.ts';
import type { DemandClassification } from './classify.ts';
import { sba, tsb } from './croston.ts';
import { holtWinters } from './holt-winters.ts';
import { ses } from './ses.ts';
import type { Model } from './types.ts';
import { weekdayProfile } from './weekday-profile.ts';
import { yearlyFourier } from './yearly-fourier.ts';

/** Yearly-seasonal variants only switch on with two years of history; below that they are their base model. */
const YEARLY = { harmonics: 5, halfLife: 730 } as const;

/** SES on the level with additive yearly Fourier terms; alpha tuned for the use horizon. */
export function sesYearly(horizon = 28): Model {
  return yearlyFourier(ses({ optimiseHorizon: horizon, name: `sesH${horizon}` }), YEARLY);
}

/** SES × weekday profile × multiplicative yearly index. */
export function sesWeekdayYearly(horizon = 28): Model {
  return yearlyFourier(weekdayProfile(ses({ optimiseHorizon: horizon, name: `sesH${horizon}` })), {
    ...YEARLY,
    mode: 'multiplicative',
  });
}

/** Holt-Winters (weekly) × multiplicative yearly index. */
export function hwYearly(): Model {
  return yearlyFourier(holtWinters(), { ...YEARLY, mode: 'multiplicative' });
}

/** Weekly buckets (ADIDA) with SES + yearly Fourier at weekly grain, spread back by weekday profile. */
export function weeklyAggregateYearly(horizon = 28): Model {
  const weeks = Math.max(1, Math.ceil(horizon / 7));
  const base = yearlyFourier(ses({ optimiseHorizon: weeks, name: `sesH${weeks}` }), {
    ...YEARLY,
    period: 365.25 / 7,
    minHistory: 104,
    halfLife: YEARLY.halfLife / 7,
  });
  return adida(base, { bucket: 7, disaggregation: 'profile', name: 'adida7(ses+yearly)+profile' });
}

/**
 * Candidate models per demand class. Smooth/erratic items get level, weekly and yearly seasonal
 * models; intermittent/lumpy items get Croston-type methods and weekly aggregation, whose flat
 * per-day rates are what a lead-time demand distribution needs. `horizon` tunes SES's alpha to
 * the horizon the forecast is used for.
 */
export function defaultPool(cls: DemandClassification, horizon = 28): Model[] {
  if (cls.class === 'intermittent' || cls.class === 'lumpy') {
    return [
      sba(),
      tsb(),
      sesYearly(horizon),
      adida(ses(), { bucket: 7, disaggregation: 'profile', name: 'adida7(ses)+profile' }),
    ];
  }
  return [sesYearly(horizon), sesWeekdayYearly(horizon), hwYearly(), weeklyAggregateYearly(horizon)];
}

/** The model used when a history is too short to backtest: SES for smooth demand, SBA otherwise. */
export function fallbackModel(cls: DemandClassification): Model {
  return cls.class === 'intermittent' || cls.class === 'lumpy' ? sba() : ses();
}
