import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { ProblemError } from '../../lib/problem.ts';
import { DateTime, iso, isoRequired, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { listPolicies, listRuns, type PolicyRow, type RunRow } from './engine.service.ts';
import { enqueueFullRecalculation } from './enqueue-full-recalculation.ts';

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const ExplainedNumber = Type.Object({
  value: Type.Number(),
  formula: Type.String(),
  substituted: Type.String(),
});

const Policy = Type.Object({
  itemId: Uuid,
  itemCode: Type.String(),
  itemNameZh: Type.String(),
  itemNameEn: Type.String(),
  baseUnit: Type.String(),
  locationId: Uuid,
  locationName: Type.String(),
  siteId: Uuid,
  computedAt: DateTime,
  demandClass: Type.String(),
  model: Type.String(),
  modelScore: Nullable(Type.Number()),
  dailyMean: Type.Number(),
  dailySd: Type.Number(),
  leadTimeMeanDays: Type.Number(),
  leadTimeSdDays: Type.Number(),
  leadTimeSource: Type.String(),
  serviceLevel: Type.Number({ description: 'Target cycle service level of the risk class' }),
  safetyStock: ExplainedNumber,
  reorderPoint: ExplainedNumber,
  orderUpTo: Type.Number(),
  eoq: Nullable(Type.Number()),
  onHand: Type.Integer(),
  inTransit: Type.Integer(),
  position: Type.Integer(),
  daysCover: Nullable(Type.Number()),
  stockoutProbability: Type.Object(
    {
      value: Nullable(Type.Number()),
      formula: Type.String(),
      substituted: Type.String(),
      distribution: Type.String(),
      calibrated: Type.Boolean(),
    },
    {
      description:
        'P(stockout before the next possible receipt). 1 when already out; null when it cannot be computed (no usage history, par level or typical usage) — unknown, never 0.',
    },
  ),
  stockoutWithinHorizon: Type.Object(
    {
      value: Nullable(Type.Number()),
      horizonDays: Type.Integer(),
      formula: Type.String(),
      substituted: Type.String(),
      calibrated: Type.Boolean(),
    },
    {
      description:
        'P(stockout within horizonDays), open purchase orders arriving at their expected dates (rule set stockoutRisk.horizonDays, default 30).',
    },
  ),
  forecastGrain: Nullable(Type.String({ description: 'daily, weekly, monthly or irregular' })),
  forecastFamily: Nullable(Type.String({ description: 'Distribution family chosen by pinball loss' })),
  expiryRiskQuantity: Type.Integer(),
  expiryRiskValue: Type.Number(),
  order: Nullable(
    Type.Object({
      quantityBase: Type.Integer(),
      packs: Type.Integer(),
      packSize: Type.Integer(),
      supplierId: Nullable(Uuid),
      supplierName: Nullable(Type.String()),
    }),
  ),
  state: Type.Unknown({ description: 'Everything the alert rules saw (ItemLocationState)' }),
});

const num = (s: string | null) => (s === null ? null : Number(s));
const explained = (state: Record<string, unknown>, key: string, value: number) => {
  const e = (state[key] ?? {}) as { formula?: string; substituted?: string; distribution?: string };
  return { value, formula: e.formula ?? '', substituted: e.substituted ?? '' };
};

const policyView = (r: PolicyRow) => {
  const sp = (r.state.stockoutProbability ?? {}) as { distribution?: string };
  const within = (r.state.stockoutWithinHorizon ?? {}) as {
    formula?: string;
    substituted?: string;
    horizonDays?: number;
  };
  return {
    itemId: r.item_id,
    itemCode: r.item_code,
    itemNameZh: r.name_zh,
    itemNameEn: r.name_en,
    baseUnit: r.base_unit,
    locationId: r.location_id,
    locationName: r.location_name,
    siteId: r.site_id,
    computedAt: isoRequired(r.computed_at),
    demandClass: r.demand_class,
    model: r.model,
    modelScore: num(r.model_score),
    dailyMean: Number(r.daily_mean),
    dailySd: Number(r.daily_sd),
    leadTimeMeanDays: Number(r.lead_time_mean),
    leadTimeSdDays: Number(r.lead_time_sd),
    leadTimeSource: r.lead_time_source,
    serviceLevel: Number(r.service_level),
    safetyStock: explained(r.state, 'safetyStock', Number(r.safety_stock)),
    reorderPoint: explained(r.state, 'reorderPoint', Number(r.reorder_point)),
    orderUpTo: Number(r.order_up_to),
    eoq: num(r.eoq),
    onHand: Number(r.on_hand),
    inTransit: Number(r.in_transit),
    position: Number(r.position),
    daysCover: num(r.days_cover),
    stockoutProbability: {
      ...explained(r.state, 'stockoutProbability', 0),
      value: num(r.stockout_probability),
      distribution: sp.distribution ?? '',
      calibrated: r.probability_calibrated,
    },
    stockoutWithinHorizon: {
      value: num(r.stockout_probability_horizon),
      horizonDays: r.horizon_days ?? within.horizonDays ?? 30,
      formula: within.formula ?? '',
      substituted: within.substituted ?? '',
      calibrated: r.probability_calibrated,
    },
    forecastGrain: r.forecast_grain,
    forecastFamily: r.forecast_family,
    expiryRiskQuantity: Number(r.expiry_risk_qty),
    expiryRiskValue: Number(r.expiry_risk_value),
    order: (r.state.order ?? null) as never,
    state: r.state,
  };
};

const Run = Type.Object({
  id: Uuid,
  kind: StringEnum(['full', 'items']),
  status: StringEnum(['running', 'done', 'failed']),
  total: Type.Integer(),
  done: Type.Integer(),
  startedAt: DateTime,
  finishedAt: Nullable(DateTime),
});
const runView = (r: RunRow) => ({
  id: r.id,
  kind: r.kind as 'full',
  status: r.status as 'done',
  total: Number(r.total),
  done: Number(r.done),
  startedAt: isoRequired(r.started_at),
  finishedAt: iso(r.finished_at),
});

export async function engineRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/v1/engine/recalculate',
    {
      config: { access: { scope: ['admin', 'stock:write', 'purchasing'] } },
      schema: {
        tags: ['engine'],
        summary:
          'Queue a full recalculation of every item-location now (otherwise it runs on the organisation’s schedule and after every event)',
        body: Type.Object({}, { additionalProperties: false }),
        response: { 202: Type.Object({ jobId: Type.String() }), ...problemResponses },
      },
    },
    async (request, reply) => {
      const jobId = await enqueueFullRecalculation(deps, authOf(request).organizationId);
      if (!jobId)
        throw new ProblemError(
          503,
          'queue_unavailable',
          'Service unavailable',
          'The job queue is not reachable; the scheduled recalculation will run later.',
          undefined,
          { messageKey: 'queue_unavailable.recalculation' },
        );
      return reply.status(202).send({ jobId });
    },
  );

  app.get(
    '/v1/engine/runs',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['engine'],
        summary: 'Full recalculation runs, newest first, with their progress',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(Run), ...problemResponses },
      },
    },
    async (request) => {
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(request.query.cursor, ['timestamp', 'uuid']) as [string, string] | undefined;
      const rows = await listRuns(deps, authOf(request), limit, after);
      const page = paginate(rows, limit, (r) => [r.cursor_key, r.id]);
      return { items: page.items.map(runView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/policies',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['engine'],
        summary:
          'Computed policies per item-location: forecast demand, lead time, safety stock, reorder point, order-up-to, stockout probability, each with its formula',
        querystring: Type.Object(
          {
            ...PageQuery,
            itemId: Type.Optional(Uuid),
            locationId: Type.Optional(Uuid),
            siteId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(Policy), ...problemResponses },
      },
    },
    async (request) => {
      const { limit: l, cursor, ...filter } = request.query;
      const limit = pageLimit(l);
      const after = decodeCursor(cursor, ['uuid', 'uuid']) as [string, string] | undefined;
      const rows = await listPolicies(deps, authOf(request), filter, limit, after);
      const page = paginate(rows, limit, (r) => [r.item_id, r.location_id]);
      return { items: page.items.map(policyView), nextCursor: page.nextCursor };
    },
  );
}
