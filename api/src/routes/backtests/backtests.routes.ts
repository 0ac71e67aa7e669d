import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { addDays } from '@medstock/core/dates/index.ts';
import { organizationToday, withTenantDb } from '@medstock/db';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { type FieldError, notFound, ProblemError } from '../../lib/problem.ts';
import { IdParams, IsoDate, iso, isoRequired, StringEnum, Uuid } from '../../lib/schemas.ts';
import type { AuthContext } from '../../plugins/access.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { LeadTimeParameter, Outcome, Row, Run, Step } from './backtest-schemas.ts';
import {
  asOfCount,
  contractRow,
  PERIOD_DAYS,
  RUN_SELECT,
  type RunRecord,
  type ScopedRun,
  STORED_COLUMNS,
  type StoredRow,
  scopeRuns,
  visibleRows,
} from './backtests.service.ts';

/** As-of dates one run may have (two years of daily dates): more is a mistake, not a backtest. */
const MAX_AS_OF_DATES = 731;

const runView = (r: ScopedRun) => ({
  id: r.id,
  status: r.status,
  format: r.format,
  from: r.from_date,
  to: r.to_date,
  step: r.step,
  horizonDays: r.horizon_days,
  horizonPeriods: r.horizon_periods,
  leadTime: { mode: r.lead_time_mode, days: r.lead_time_days },
  summary: r.format === 2 ? (r.summary as never) : null,
  legacySummary: r.format === 1 ? r.summary : null,
  scope: r.scope,
  error: r.error,
  createdAt: isoRequired(r.created_at),
  finishedAt: iso(r.finished_at),
});

type ReadRow = StoredRow & {
  item_code: string;
  item_name_zh: string;
  item_name_en: string;
  site_id: string;
  site_code: string;
  site_name: string;
  location_code: string;
  location_name: string;
};
const num = (v: string | null) => (v === null ? null : Number(v));
const rowView = (r: ReadRow) => ({
  itemId: r.item_id,
  itemCode: r.item_code,
  itemNameZh: r.item_name_zh,
  itemNameEn: r.item_name_en,
  siteId: r.site_id,
  siteCode: r.site_code,
  siteName: r.site_name,
  locationId: r.location_id,
  locationCode: r.location_code,
  locationName: r.location_name,
  // The contract row, with the API's nulls where the store has none (the contract fills defaults).
  ...contractRow(r),
  leadTimeDays: num(r.lead_time_days),
  family: r.family,
  grain: r.grain,
  errors: r.errors,
});

const READ_FROM = sql`select ${STORED_COLUMNS}, i.code as item_code, i.name_zh as item_name_zh, i.name_en as item_name_en,
    s.id as site_id, s.code as site_code, s.name as site_name, l.code as location_code, l.name as location_name
  from backtest_rows b join items i on i.id = b.item_id join locations l on l.id = b.location_id join sites s on s.id = l.site_id`;

const CSV_HEADER = [
  'item_code',
  'item_name_zh',
  'item_name_en',
  'site_code',
  'site_name',
  'location_code',
  'location_name',
  'as_of',
  'position',
  'lead_time_days',
  'model',
  'family',
  'grain',
  'forecast_mean',
  'forecast_q90',
  'actual',
  'p_before_receipt',
  'p_within_horizon',
  'p_within_horizon_raw',
  'calibrated',
  'alert_raised',
  'outcome',
  'months_of_stock',
  'mase',
  'rmsse',
  'pinball',
];

/** One CSV field: quoted when needed, and a leading = + - @ defused so a spreadsheet shows text, not a formula. */
function csvField(v: string | number | boolean | null | undefined): string {
  if (v === null || v === undefined) return '';
  if (typeof v !== 'string') return String(v);
  const safe = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\n\r]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

function csvLine(r: ReadRow): string {
  const sum = (f: (p: StoredRow['forecast'][number]) => number | null) => {
    let s = 0;
    for (const p of r.forecast) {
      const v = f(p);
      if (v === null || v === undefined) return null;
      s += v;
    }
    return r.forecast.length ? Math.round(s * 1000) / 1000 : null;
  };
  return [
    r.item_code,
    r.item_name_zh,
    r.item_name_en,
    r.site_code,
    r.site_name,
    r.location_code,
    r.location_name,
    r.as_of,
    r.position,
    r.lead_time_days,
    r.model,
    r.family,
    r.grain,
    sum((p) => p.mean),
    // Sum of the periods' 0.9 quantiles: an upper figure per period, not the quantile of the total.
    sum((p) => p.quantiles[2] ?? null),
    sum((p) => p.actual),
    r.p_before_receipt,
    r.p_within_horizon,
    r.p_within_horizon_raw,
    r.calibrated,
    r.alert_raised,
    r.outcome,
    r.months_of_stock,
    r.errors?.engine.mase,
    r.errors?.engine.rmsse,
    r.errors?.engine.pinball,
  ]
    .map(csvField)
    .join(',');
}

export async function backtestRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const loadRun = async (auth: AuthContext, id: string) => {
    const r = await withTenantDb(deps.database.db, auth, async (tx) =>
      scopeRuns(tx, auth, (await tx.execute<RunRecord>(sql`${RUN_SELECT} where id = ${id}`)).rows),
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
          'Start a backtest: replay the engine over a past period at daily, weekly or monthly as-of dates, using only what was known at each',
        description: [
          'Runs as a job; poll GET /v1/backtests/{id}. At each as-of date the engine sees only the ledger before it (positions from the whole ledger, counts included), the lead times received before it and the terms then.',
          'The horizon is `horizonDays` (default 30; 31 with a monthly step) or `horizonPeriods` of the step (a week is 7 days, a month 31 so its month-end count falls inside). `leadTime` is `{"mode":"recorded"}` (default) or `{"mode":"fixed","days":N}`.',
          'The summary scores new stock-outs only (stock above zero at the as-of date, zero within the horizon): average precision, recall at precision 0.25 and 0.35, Brier against the base rate, calibration bins, MASE, RMSSE and pinball loss, each beside the months-of-stock rule and the naive / 3-period-mean forecasts on the same rows. Rows: GET /v1/backtests/{id}/rows (JSON pages or CSV). Offline: `pnpm backtest --tenant <id> --from … --to …`.',
        ].join('\n\n'),
        body: Type.Object(
          {
            from: IsoDate,
            to: IsoDate,
            step: Type.Optional(Step),
            horizonDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
            horizonPeriods: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })),
            leadTime: Type.Optional(LeadTimeParameter),
          },
          { additionalProperties: false },
        ),
        response: { 202: Run, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { from, to, step = 'weekly', horizonPeriods } = request.body;
      const leadTime = request.body.leadTime ?? { mode: 'recorded' as const };
      const errors: FieldError[] = [];
      if (request.body.horizonDays !== undefined && horizonPeriods !== undefined) {
        errors.push({
          field: 'body:/horizonPeriods',
          message: 'give horizonDays or horizonPeriods, not both',
          code: 'horizon_conflict',
        });
      }
      const horizonDays =
        horizonPeriods !== undefined
          ? horizonPeriods * PERIOD_DAYS[step]
          : // Monthly steps default to one period (31 days): a 30-day window from the 1st would miss
            // the count and stock-out days at the end of a 31-day month.
            (request.body.horizonDays ?? (step === 'monthly' ? PERIOD_DAYS.monthly : 30));
      if (horizonDays > 366) {
        errors.push({
          field: 'body:/horizonPeriods',
          message: `${horizonPeriods} ${step} periods are ${horizonDays} days; at most 366`,
          code: 'horizon_too_long',
          params: { periods: horizonPeriods ?? 0, step, days: horizonDays, max: 366 },
        });
      }
      if (leadTime.mode === 'fixed' && leadTime.days === undefined) {
        errors.push({
          field: 'body:/leadTime/days',
          message: 'a fixed lead time needs days',
          code: 'lead_time_days_required',
        });
      }
      if (leadTime.mode === 'recorded' && leadTime.days !== undefined) {
        errors.push({
          field: 'body:/leadTime/days',
          message: 'days only go with mode fixed',
          code: 'lead_time_days_unexpected',
        });
      }
      // The horizon after the last as-of date must have passed, in the organisation's local days.
      const today = await withTenantDb(deps.database.db, auth, (tx) => organizationToday(tx));
      const latest = addDays(today, -Math.min(horizonDays, 366));
      if (from > to) {
        errors.push({
          field: 'body:/to',
          message: 'must not be before from',
          code: 'invalid_period',
          messageKey: 'invalid_period.backtest_order',
        });
      } else if (to > latest) {
        errors.push({
          field: 'body:/to',
          message: `must be on or before ${latest}: the ${horizonDays}-day horizon after each as-of date must have passed`,
          code: 'invalid_period',
          messageKey: 'invalid_period.backtest_horizon',
          params: { latest, days: horizonDays },
        });
      } else if (asOfCount(from, to, step) > MAX_AS_OF_DATES) {
        errors.push({
          field: 'body:/from',
          message: `${asOfCount(from, to, step)} as-of dates; at most ${MAX_AS_OF_DATES} (use a longer step or a shorter period)`,
          code: 'too_many_dates',
          params: { dates: asOfCount(from, to, step), max: MAX_AS_OF_DATES },
        });
      }
      if (errors.length) {
        // The problem is worded as a whole (invalid_backtest); each field error by its own code.
        throw new ProblemError(
          422,
          errors[0]!.code ?? 'invalid_backtest',
          'Unprocessable content',
          'The backtest parameters are not valid.',
          errors,
          { params: { count: errors.length }, messageKey: 'invalid_backtest' },
        );
      }
      const run = await withTenantDb(deps.database.db, auth, async (tx) => {
        const r = await tx.execute<{ id: string }>(
          sql`insert into backtest_runs (from_date, to_date, step, horizon_days, horizon_periods, lead_time_mode, lead_time_days, created_by)
              values (${from}, ${to}, ${step}, ${horizonDays}, ${horizonPeriods ?? null}, ${leadTime.mode},
                      ${leadTime.mode === 'fixed' ? (leadTime.days ?? null) : null}, ${auth.userId}) returning id`,
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
          undefined,
          { messageKey: 'queue_unavailable.backtest' },
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
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(Run), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(request.query.cursor, ['timestamp', 'uuid']);
      const rows = await withTenantDb(deps.database.db, auth, async (tx) => {
        const r = await tx.execute<RunRecord>(
          sql`${RUN_SELECT} ${after ? sql`where (created_at, id) < (${after[0]}::timestamptz, ${after[1]}::uuid)` : sql``} order by created_at desc, id desc limit ${limit + 1}`,
        );
        const page = paginate(r.rows, limit, (x) => [isoRequired(x.created_at), x.id]);
        return { items: await scopeRuns(tx, auth, page.items), nextCursor: page.nextCursor };
      });
      return { items: rows.items.map(runView), nextCursor: rows.nextCursor };
    },
  );

  app.get(
    '/v1/backtests/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['engine'],
        summary: 'One backtest run: its parameters, status and summary',
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
          'The rows of a backtest, one per item-location and as-of date, with codes and names (JSON pages, or the whole set as CSV with format=csv)',
        description:
          "Filter by outcome, item (id or code), site or location. Callers limited to some sites get only the rows of those sites' locations (and a run summary scored from them).",
        params: IdParams,
        querystring: Type.Object(
          {
            ...PageQuery,
            format: Type.Optional(StringEnum(['json', 'csv'])),
            outcome: Type.Optional(Outcome),
            itemId: Type.Optional(Uuid),
            itemCode: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })),
            siteId: Type.Optional(Uuid),
            locationId: Type.Optional(Uuid),
          },
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
      const q = request.query;
      const where = sql`where b.run_id = ${request.params.id} ${visibleRows(auth)}
        ${q.outcome ? sql`and b.outcome = ${q.outcome}` : sql``}
        ${q.itemId ? sql`and b.item_id = ${q.itemId}` : sql``}
        ${q.itemCode ? sql`and i.code = ${q.itemCode}` : sql``}
        ${q.siteId ? sql`and l.site_id = ${q.siteId}` : sql``}
        ${q.locationId ? sql`and b.location_id = ${q.locationId}` : sql``}`;
      if (q.format === 'csv') {
        const r = await withTenantDb(deps.database.db, auth, (tx) =>
          tx.execute<ReadRow>(sql`${READ_FROM} ${where} order by i.code, s.code, l.code, b.as_of`),
        );
        reply.header('content-disposition', `attachment; filename="backtest-${request.params.id}.csv"`);
        return reply
          .type('text/csv; charset=utf-8')
          .send(`${[CSV_HEADER.join(','), ...r.rows.map(csvLine)].join('\n')}\n`);
      }
      const limit = pageLimit(q.limit);
      const after = decodeCursor(q.cursor, ['uuid', 'uuid', 'date']);
      const r = await withTenantDb(deps.database.db, auth, (tx) =>
        tx.execute<ReadRow>(sql`${READ_FROM} ${where}
          ${after ? sql`and (b.item_id, b.location_id, b.as_of) > (${after[0]}::uuid, ${after[1]}::uuid, ${after[2]}::date)` : sql``}
          order by b.item_id, b.location_id, b.as_of limit ${limit + 1}`),
      );
      const page = paginate(r.rows, limit, (x) => [x.item_id, x.location_id, x.as_of]);
      return { items: page.items.map(rowView), nextCursor: page.nextCursor };
    },
  );
}
