import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { DateTime, IdParams, iso, isoRequired, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { type AnomalyRow, listAnomalies, reviewAnomaly } from './anomalies.service.ts';

const Status = StringEnum(['pending', 'accepted', 'rejected']);
const num = (s: string | null) => (s === null ? null : Number(s));

const Anomaly = Type.Object({
  id: Uuid,
  itemId: Uuid,
  itemCode: Type.String(),
  itemNameZh: Type.String(),
  itemNameEn: Type.String(),
  baseUnit: Type.String(),
  locationId: Uuid,
  locationName: Type.String(),
  siteId: Uuid,
  siteName: Type.String(),
  day: Type.String({ format: 'date' }),
  quantity: Type.Number({ description: 'Base units consumed that day' }),
  expected: Type.Number({
    description:
      'What the day was expected to be: its rolling median (or the typical non-zero day of an intermittent item)',
  }),
  score: Type.Union([Type.Number(), Type.Null()], {
    description: 'Robust z = |x − median| / (1.4826 · MAD)',
  }),
  threshold: Type.Union([Type.Number(), Type.Null()]),
  status: Status,
  reviewedBy: Type.Union([Uuid, Type.Null()]),
  reviewedAt: Type.Union([DateTime, Type.Null()]),
  createdAt: DateTime,
});

const view = (r: AnomalyRow) => ({
  id: r.id,
  itemId: r.item_id,
  itemCode: r.item_code,
  itemNameZh: r.name_zh,
  itemNameEn: r.name_en,
  baseUnit: r.base_unit,
  locationId: r.location_id,
  locationName: r.location_name,
  siteId: r.site_id,
  siteName: r.site_name,
  day: r.day,
  quantity: Number(r.quantity),
  expected: Number(r.expected),
  score: num(r.score),
  threshold: num(r.threshold),
  status: r.status,
  reviewedBy: r.reviewed_by,
  reviewedAt: iso(r.reviewed_at),
  createdAt: isoRequired(r.created_at),
});

export async function anomalyRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/anomalies',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['anomalies'],
        summary: 'Consumption anomalies flagged by the engine (default: pending review), newest day first',
        description:
          'Flagged days are kept out of forecasting while pending or rejected; accepting one puts it back.',
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Optional(Status),
            siteId: Type.Optional(Uuid),
            itemId: Type.Optional(Uuid),
            locationId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(Anomaly), ...problemResponses },
      },
    },
    async (request) => {
      const { limit: l, cursor, ...filter } = request.query;
      const limit = pageLimit(l);
      const after = decodeCursor(cursor, ['date', 'uuid']) as [string, string] | undefined;
      const rows = await listAnomalies(deps, authOf(request), filter, limit, after);
      const page = paginate(rows, limit, (r) => [r.day, r.id]);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
  );

  for (const [path, verdict, summary] of [
    [
      'accept',
      'accepted',
      'Accept a flagged day as real consumption: it counts for forecasting again (the item-location is recalculated)',
    ],
    [
      'reject',
      'rejected',
      'Reject a flagged day as not real demand: it stays out of forecasting (the item-location is recalculated)',
    ],
  ] as const) {
    app.post(
      `/v1/anomalies/:id/${path}`,
      {
        config: { access: { scope: ['stock:write', 'purchasing'] } },
        schema: {
          tags: ['anomalies'],
          summary,
          params: IdParams,
          body: Type.Object({}, { additionalProperties: false }),
          response: { 200: Anomaly, ...problemResponses },
        },
      },
      async (request) => view(await reviewAnomaly(deps, authOf(request), request.params.id, verdict)),
    );
  }
}
