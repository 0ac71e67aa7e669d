import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { type Tx, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { notFound, ProblemError, unprocessable } from '../../lib/problem.ts';
import { DateTime, IdParams, IsoDate, iso, isoRequired, StringEnum, Uuid } from '../../lib/schemas.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';

const Step = StringEnum(['daily', 'weekly', 'monthly']);
const Run = Type.Object({
  id: Uuid,
  status: StringEnum(['queued', 'running', 'succeeded', 'failed']),
  from: IsoDate,
  to: IsoDate,
  step: Step,
  summary: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
  error: Type.Union([Type.String(), Type.Null()]),
  createdAt: DateTime,
  finishedAt: Type.Union([DateTime, Type.Null()]),
});
const Row = Type.Object({
  itemId: Uuid,
  locationId: Uuid,
  asOf: IsoDate,
  model: Type.String(),
  forecastMean: Type.Number(),
  actualMean: Type.Number(),
  stockoutProbability: Type.Number(),
  alertRaised: Type.Boolean(),
  stockoutHappened: Type.Boolean(),
});

type RunRow = {
  id: string;
  status: 'queued';
  from_date: string;
  to_date: string;
  step: 'daily';
  summary: Record<string, unknown> | null;
  error: string | null;
  created_at: string;
  finished_at: string | null;
};
const RUN_SELECT = sql`select id, status, to_char(from_date, 'YYYY-MM-DD') as from_date, to_char(to_date, 'YYYY-MM-DD') as to_date, step, summary, error, created_at, finished_at from backtest_runs`;
const runView = (r: RunRow) => ({
  id: r.id,
  status: r.status,
  from: r.from_date,
  to: r.to_date,
  step: r.step,
  summary: r.summary,
  error: r.error,
  createdAt: isoRequired(r.created_at),
  finishedAt: iso(r.finished_at),
});

type BtRow = {
  item_id: string;
  location_id: string;
  as_of: string;
  model: string;
  forecast_mean: string;
  actual_mean: string;
  stockout_probability: string;
  alert_raised: boolean;
  stockout_happened: boolean;
};
const rowView = (r: BtRow) => ({
  itemId: r.item_id,
  locationId: r.location_id,
  asOf: r.as_of,
  model: r.model,
  forecastMean: Number(r.forecast_mean),
  actualMean: Number(r.actual_mean),
  stockoutProbability: Number(r.stockout_probability),
  alertRaised: r.alert_raised,
  stockoutHappened: r.stockout_happened,
});

/** Rows of locations at the caller's sites; nothing to add for an all-sites caller. */
function visibleRows(auth: AuthContext) {
  return auth.siteIds === null
    ? sql``
    : sql`and location_id in (select id from locations where site_id = any(${sql.param([...auth.siteIds])}::uuid[]))`;
}

/**
 * A site-limited caller's view of finished runs: the stored summary scores every site, so theirs
 * is recounted from their sites' rows. Forecast accuracy (MASE, RMSSE) is not kept per row, so it
 * is unknown (null) there rather than the organisation's figure.
 */
async function scopeSummaries(tx: Tx, auth: AuthContext, runs: RunRow[]): Promise<RunRow[]> {
  const done = runs.filter((r) => r.summary !== null).map((r) => r.id);
  if (auth.siteIds === null || done.length === 0) return runs;
  const counts = await tx.execute<{
    run_id: string;
    rows: number;
    alerts: number;
    stockouts: number;
    tp: number;
    item_locations: number;
  }>(sql`
    select run_id, count(*)::int as rows, count(*) filter (where alert_raised)::int as alerts,
           count(*) filter (where stockout_happened)::int as stockouts,
           count(*) filter (where alert_raised and stockout_happened)::int as tp,
           count(distinct (item_id, location_id))::int as item_locations
      from backtest_rows where run_id = any(${sql.param(done)}::uuid[]) ${visibleRows(auth)}
     group by run_id`);
  const by = new Map(counts.rows.map((c) => [c.run_id, c]));
  const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 10_000) / 10_000 : null);
  return runs.map((r) => {
    if (r.summary === null) return r;
    const c = by.get(r.id) ?? { rows: 0, alerts: 0, stockouts: 0, tp: 0, item_locations: 0 };
    return {
      ...r,
      summary: {
        ...r.summary,
        rows: c.rows,
        alerts: c.alerts,
        stockouts: c.stockouts,
        truePositives: c.tp,
        precision: ratio(c.tp, c.alerts),
        recall: ratio(c.tp, c.stockouts),
        meanMase: null,
        meanRmsse: null,
        itemLocations: c.item_locations,
        scope: 'your sites',
      },
    };
  });
}

export async function backtestRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const security = [{ bearer: [] }];
  const loadRun = async (auth: AuthContext, id: string) => {
    const r = await withTenantDb(deps.database.db, auth, async (tx) =>
      scopeSummaries(tx, auth, (await tx.execute<RunRow>(sql`${RUN_SELECT} where id = ${id}`)).rows),
    );
    if (!r[0]) throw notFound('The backtest');
    return r[0];
  };

  app.post(
    '/v1/backtests',
    {
      config: { access: { scope: ['admin', 'purchasing'] } },
      schema: {
        tags: ['engine'],
        summary:
          'Start a backtest: replay the engine over a past period at daily, weekly or monthly as-of dates',
        description:
          'Runs as a job; poll GET /v1/backtests/{id}. The summary gives alert precision and recall for stockouts and forecast MASE / RMSSE; the per item-location, per as-of-date rows are at /v1/backtests/{id}/rows (JSON or CSV). Also available offline: `pnpm backtest --tenant <id> --from … --to …`.',
        security,
        body: Type.Object(
          { from: IsoDate, to: IsoDate, step: Type.Optional(Step) },
          { additionalProperties: false },
        ),
        response: { 202: Run, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { from, to, step = 'weekly' } = request.body;
      const latest = new Date(Date.now() - 28 * 86_400_000).toISOString().slice(0, 10);
      if (from > to || to > latest) {
        throw unprocessable(
          'invalid_period',
          `The period must have from ≤ to ≤ ${latest} (28 days are needed to score each as-of date).`,
          [{ field: 'body:/to', message: `must be between from and ${latest}` }],
        );
      }
      const run = await withTenantDb(deps.database.db, auth, async (tx) => {
        const r = await tx.execute<{ id: string }>(
          sql`insert into backtest_runs (from_date, to_date, step, created_by) values (${from}, ${to}, ${step}, ${auth.userId}) returning id`,
        );
        return r.rows[0]!.id;
      });
      try {
        await deps.jobs.enqueueBacktest(auth.organizationId, run);
      } catch {
        // The run would wait for ever: fail it and say so (the caller may simply retry).
        await withTenantDb(deps.database.db, auth, (tx) =>
          tx.execute(
            sql`update backtest_runs set status = 'failed', error = 'the backtest could not be queued; try again', finished_at = now() where id = ${run}`,
          ),
        );
        throw new ProblemError(
          503,
          'queue_unavailable',
          'Service unavailable',
          'The backtest could not be queued; try again shortly.',
        );
      }
      reply.header('location', `/v1/backtests/${run}`);
      return reply.status(202).send(runView(await loadRun(auth, run)));
    },
  );

  app.get(
    '/v1/backtests',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['engine'],
        summary: 'Backtest runs with their scores, newest first',
        security,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(Run), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(request.query.cursor, ['timestamp', 'uuid']);
      const rows = await withTenantDb(deps.database.db, auth, async (tx) =>
        scopeSummaries(
          tx,
          auth,
          (
            await tx.execute<RunRow>(
              sql`${RUN_SELECT} ${after ? sql`where (created_at, id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``} order by created_at desc, id desc limit ${limit + 1}`,
            )
          ).rows,
        ),
      );
      const page = paginate(rows, limit, (x) => [isoRequired(x.created_at), x.id]);
      return { items: page.items.map(runView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/backtests/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['engine'],
        summary: 'One backtest run and its summary',
        security,
        params: IdParams,
        response: { 200: Run, ...problemResponses },
      },
    },
    async (request) => runView(await loadRun(authOf(request), request.params.id)),
  );

  app.get(
    '/v1/backtests/:id/rows',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['engine'],
        summary:
          'The per item-location, per as-of-date rows of a backtest (JSON pages, or the whole set as CSV with format=csv)',
        description:
          "Callers limited to some sites get only the rows of those sites' locations (and a run summary recounted from them).",
        security,
        params: IdParams,
        querystring: Type.Object(
          { ...PageQuery, format: Type.Optional(StringEnum(['json', 'csv'])) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Union([pageOf(Row), Type.String({ description: 'text/csv' })]),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      await loadRun(auth, request.params.id);
      const cols = sql`item_id, location_id, to_char(as_of, 'YYYY-MM-DD') as as_of, model, forecast_mean::text, actual_mean::text, stockout_probability::text, alert_raised, stockout_happened`;
      // A row belongs to the site of its location: site-limited callers get only their sites' rows.
      const visible = visibleRows(auth);
      if (request.query.format === 'csv') {
        const r = await withTenantDb(deps.database.db, auth, (tx) =>
          tx.execute<BtRow>(
            sql`select ${cols} from backtest_rows where run_id = ${request.params.id} ${visible} order by item_id, location_id, as_of`,
          ),
        );
        const header =
          'item_id,location_id,as_of,model,forecast_mean,actual_mean,stockout_probability,alert_raised,stockout_happened';
        // Every field is a uuid, a date, a number, a boolean or a model name without commas or quotes.
        const body = [
          header,
          ...r.rows.map((x) =>
            [
              x.item_id,
              x.location_id,
              x.as_of,
              x.model.replaceAll(',', ';'),
              x.forecast_mean,
              x.actual_mean,
              x.stockout_probability,
              x.alert_raised,
              x.stockout_happened,
            ].join(','),
          ),
        ].join('\n');
        reply.header('content-disposition', `attachment; filename="backtest-${request.params.id}.csv"`);
        return reply.type('text/csv; charset=utf-8').send(`${body}\n`);
      }
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(request.query.cursor, ['uuid', 'uuid', 'date']);
      const r = await withTenantDb(deps.database.db, auth, (tx) =>
        tx.execute<BtRow>(sql`select ${cols} from backtest_rows where run_id = ${request.params.id} ${visible}
          ${after ? sql`and (item_id, location_id, as_of) > (${after[0]}::uuid, ${after[1]}::uuid, ${after[2]}::date)` : sql``}
          order by item_id, location_id, as_of limit ${limit + 1}`),
      );
      const page = paginate(r.rows, limit, (x) => [x.item_id, x.location_id, x.as_of]);
      return { items: page.items.map(rowView), nextCursor: page.nextCursor };
    },
  );
}
