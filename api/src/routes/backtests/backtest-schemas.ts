import { type TSchema, Type } from 'typebox';
import { DateTime, IsoDate, StringEnum, Uuid } from '../../lib/schemas.ts';

/**
 * TypeBox mirror of core/src/backtest/backtest-types.ts (BacktestParameters, BacktestRow,
 * BacktestSummary): the OpenAPI document, and through it the web's generated client, carries the
 * same shapes the worker stores.
 */
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Probability = Type.Number({ minimum: 0, maximum: 1 });
const NullableScore = Nullable(Type.Number());

export const Step = StringEnum(['daily', 'weekly', 'monthly']);
export const Outcome = StringEnum(['new_stockout', 'already_out', 'none', 'unknown'], {
  description:
    'new_stockout: stock above zero at the as-of date and zero within the horizon; already_out: zero at the as-of date; none: never zero within the horizon; unknown: the ledger does not say.',
});

export const LeadTimeParameter = Type.Object(
  {
    mode: StringEnum(['recorded', 'fixed'], {
      description:
        "recorded: the lead time known at each as-of date (observations received before it, else the supplier's terms); fixed: `days` for every row",
    }),
    days: Type.Optional(Type.Integer({ minimum: 0, maximum: 730, description: 'Only with mode fixed.' })),
  },
  { additionalProperties: false },
);

export const Parameters = Type.Object({
  from: IsoDate,
  to: IsoDate,
  step: Step,
  horizonDays: Type.Integer({ minimum: 1, maximum: 366 }),
  leadTime: Type.Union([
    Type.Object({ mode: Type.Literal('recorded') }),
    Type.Object({ mode: Type.Literal('fixed'), days: Type.Integer() }),
  ]),
});

const ForecastErrors = Type.Object({
  mase: NullableScore,
  rmsse: NullableScore,
  pinball: Nullable(Type.Number({ description: 'Mean pinball loss over the quantiles, scaled like MASE.' })),
});
const Errors = Type.Object({ engine: ForecastErrors, naive: ForecastErrors, mean3: ForecastErrors });

const AlertScores = Type.Object({
  rows: Type.Integer({ description: 'Rows scored: stock above zero at the as-of date, outcome known.' }),
  newStockouts: Type.Integer(),
  averagePrecision: NullableScore,
  recallAtPrecision25: NullableScore,
  recallAtPrecision35: NullableScore,
});

const CalibrationBin = Type.Object({
  from: Type.Number(),
  to: Type.Number(),
  rows: Type.Integer(),
  meanPredicted: NullableScore,
  observedRate: NullableScore,
});

export const Summary = Type.Object(
  {
    parameters: Parameters,
    itemLocations: Type.Integer(),
    rows: Type.Integer(),
    outcomes: Type.Object({
      new_stockout: Type.Integer(),
      already_out: Type.Integer(),
      none: Type.Integer(),
      unknown: Type.Integer(),
    }),
    baseRate: Nullable(Probability),
    alerts: Type.Object({ engine: AlertScores, monthsOfStock: AlertScores }),
    alertPrecision: Nullable(Probability),
    alertRecall: Nullable(Probability),
    brier: Type.Object({ engine: NullableScore, baseRate: NullableScore }),
    calibration: Type.Array(CalibrationBin),
    forecast: Errors,
    verdict: Type.Object({ zh: Type.String(), en: Type.String() }),
  },
  {
    description:
      'Scores of new stock-outs only (stock above zero at the as-of date, zero within the horizon), the engine beside the months-of-stock rule and the naive / 3-period-mean forecasts on the same rows.',
  },
);

export const Run = Type.Object({
  id: Uuid,
  status: StringEnum(['queued', 'running', 'succeeded', 'failed']),
  format: Type.Integer({
    minimum: 1,
    maximum: 2,
    description:
      "2: this backtest. 1: a run made before it (today's supplier terms for every date, a 28-day window, unknown probabilities stored as 0); its old summary is in legacySummary.",
  }),
  from: IsoDate,
  to: IsoDate,
  step: Step,
  horizonDays: Type.Integer(),
  horizonPeriods: Nullable(Type.Integer()),
  leadTime: Type.Object({
    mode: StringEnum(['recorded', 'fixed', 'current_terms']),
    days: Nullable(Type.Integer()),
  }),
  summary: Nullable(Summary),
  /** The summary of a format-1 run, as it was stored. */
  legacySummary: Nullable(Type.Record(Type.String(), Type.Unknown())),
  scope: StringEnum(['organization', 'your sites'], {
    description: "'your sites': a site-limited caller's summary, scored again from the rows of their sites.",
  }),
  error: Nullable(Type.String()),
  createdAt: DateTime,
  finishedAt: Nullable(DateTime),
});

export const ForecastPeriod = Type.Object({
  start: IsoDate,
  end: IsoDate,
  mean: Type.Number(),
  quantiles: Type.Array(Type.Number(), { description: 'At 0.5, 0.8, 0.9, 0.95 and 0.99.' }),
  actual: Nullable(Type.Number()),
});

export const Row = Type.Object({
  itemId: Uuid,
  itemCode: Type.String(),
  itemNameZh: Type.String(),
  itemNameEn: Type.String(),
  siteId: Uuid,
  siteCode: Type.String(),
  siteName: Type.String(),
  locationId: Uuid,
  locationCode: Type.String(),
  locationName: Type.String(),
  asOf: IsoDate,
  position: Nullable(
    Type.Number({ description: 'On-hand at the end of the day before asOf; null: unknown.' }),
  ),
  leadTimeDays: Nullable(Type.Number()),
  model: Type.String(),
  family: Nullable(Type.String()),
  grain: Nullable(Type.String()),
  forecast: Type.Array(ForecastPeriod),
  pBeforeReceipt: Nullable(Probability),
  pWithinHorizon: Nullable(Probability),
  pWithinHorizonRaw: Nullable(Probability),
  calibrated: Type.Boolean({
    description:
      'True when pWithinHorizon went through the calibration the organisation would have had in force at asOf (learnt from outcomes known by then); pWithinHorizonRaw is the model’s own value.',
  }),
  alertRaised: Type.Boolean(),
  outcome: Outcome,
  monthsOfStock: Nullable(Type.Number()),
  errors: Nullable(Errors),
});
