import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { DateTime, IsoDate, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { computeKpis } from './kpis.service.ts';

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Rate = Nullable(Type.Number({ minimum: 0, maximum: 1 }));

const Period = Type.Object({
  start: IsoDate,
  end: Type.String({ format: 'date', description: 'Last day, inclusive' }),
  days: Type.Integer(),
  stockout: Type.Object(
    { rate: Rate, stockoutDays: Type.Integer(), itemLocationDays: Type.Integer() },
    {
      description:
        'Share of item-location-days ending with nothing on hand, among item-locations with demand in the period or the 90 days before it (counted from their first real movement)',
    },
  ),
  inventory: Type.Object(
    { endValue: Type.Number(), averageValue: Type.Number() },
    { description: 'On-hand × item unit cost at the end of the period, and its daily average' },
  ),
  turnover: Type.Object(
    { days: Nullable(Type.Number()), consumptionValue: Type.Number() },
    {
      description:
        'Turnover days = average inventory value ÷ daily consumption value (issues); null when nothing was issued',
    },
  ),
  alerts: Type.Object(
    { precision: Rate, resolved: Type.Integer(), dismissed: Type.Integer() },
    { description: 'Alerts closed in the period: precision = 1 − dismissed ÷ (dismissed + resolved)' },
  ),
  purchasing: Type.Object(
    { cycleTimeDays: Nullable(Type.Number()), ordersReceived: Type.Integer() },
    { description: 'Mean days from PO created to fully received, for orders received in the period' },
  ),
  supplierOnTime: Type.Object(
    { rate: Rate, onTime: Type.Integer(), receipts: Type.Integer() },
    {
      description:
        "Receipts against orders on or before their expected date (the received lines' own, else the order's)",
    },
  ),
  expiryWriteOff: Type.Object(
    { value: Type.Number(), quantity: Type.Integer() },
    { description: 'Write-off movements × item unit cost' },
  ),
});

const Scope = Type.Object({
  siteId: Nullable(Uuid),
  siteName: Nullable(Type.String()),
  periods: Type.Array(Period),
  suppliers: Type.Array(
    Type.Object({
      supplierId: Uuid,
      supplierName: Type.String(),
      receipts: Type.Integer(),
      receiptsOnTime: Type.Integer(),
      onTimeRate: Rate,
      leadTime: Type.Object(
        {
          observations: Type.Integer(),
          overallMeanDays: Nullable(Type.Number()),
          recentMeanDays: Nullable(Type.Number()),
          historyMeanDays: Nullable(Type.Number()),
          driftDays: Nullable(Type.Number()),
        },
        {
          description:
            'Drift = mean of the last 3 observations − mean of the ones before them (up to the end of the range; null with fewer than 2 before them); positive means slower. The same definition as the lead_time_drift alert.',
        },
      ),
    }),
  ),
  backtest: Nullable(
    Type.Object(
      {
        runId: Uuid,
        from: IsoDate,
        to: IsoDate,
        finishedAt: Nullable(DateTime),
        precision: Rate,
        recall: Rate,
        alertsRaised: Type.Integer(),
        stockouts: Type.Integer(),
      },
      { description: 'Stockout-alert precision and recall of the latest succeeded backtest' },
    ),
  ),
});

export async function kpiRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/kpis',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['kpis'],
        summary:
          'KPIs per week or month, per site and in total: stockout rate, turnover days, inventory value, alert precision, purchase cycle time, supplier on-time rate and lead-time drift, expiry write-off value',
        description:
          'Days are the organisation’s local days (its time zone). Stock figures replay the ledger (imported history excluded) at the item’s unit cost. `total` covers every site in scope (the one asked for, or every site the caller may see). Defaults: the last 6 months by month, or the last 12 weeks by week; `to` after today is treated as today; at most 731 days.',
        querystring: Type.Object(
          {
            siteId: Type.Optional(Uuid),
            from: Type.Optional(IsoDate),
            to: Type.Optional(IsoDate),
            granularity: Type.Optional(StringEnum(['week', 'month'])),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            from: IsoDate,
            to: IsoDate,
            granularity: StringEnum(['week', 'month']),
            total: Scope,
            sites: Type.Array(Scope),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => computeKpis(deps, authOf(request), request.query),
  );
}
