import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ALERT_TYPES, SEVERITIES } from '@medstock/core';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { DateTime, IdParams, iso, isoRequired, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import {
  type AlertRow,
  alertFeed,
  alertSummary,
  getAlert,
  listAlerts,
  transitionAlert,
} from './alerts.service.ts';

const AlertType = StringEnum([...ALERT_TYPES]);
const Severity = StringEnum([...SEVERITIES]);
const Status = StringEnum(['open', 'acknowledged', 'snoozed', 'resolved', 'dismissed']);
/** A status, or `in_progress` (acknowledged or snoozed). Absent: every live alert. */
const StatusFilter = StringEnum(['open', 'acknowledged', 'snoozed', 'resolved', 'dismissed', 'in_progress']);
const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });
const Explanation = Type.Object(
  {
    rule: Type.String(),
    ruleVersion: Type.Integer(),
    threshold: Type.Record(Type.String(), Type.Unknown()),
    inputs: Type.Record(Type.String(), Type.Unknown()),
    formula: Type.String(),
    substituted: Type.String(),
    text: Bilingual,
  },
  {
    description:
      'Which rule fired (and its version), the threshold, the inputs, the formula with the numbers filled in.',
  },
);
const Action = Type.Union([
  Type.Object({ kind: Type.String(), text: Bilingual }, { additionalProperties: true }),
  Type.Null(),
]);

const Alert = Type.Object({
  id: Uuid,
  type: AlertType,
  severity: Severity,
  status: Status,
  itemId: Uuid,
  itemCode: Type.String(),
  itemNameZh: Type.String(),
  itemNameEn: Type.String(),
  locationId: Uuid,
  siteId: Uuid,
  score: Type.Number(),
  ruleVersion: Type.Integer(),
  explanation: Explanation,
  action: Action,
  snoozedUntil: Type.Union([DateTime, Type.Null()]),
  dismissedReason: Type.Union([Type.String(), Type.Null()]),
  openedAt: DateTime,
  updatedAt: DateTime,
  acknowledgedAt: Type.Union([DateTime, Type.Null()]),
  resolvedAt: Type.Union([DateTime, Type.Null()]),
});

const AlertDetail = Type.Object({
  alert: Alert,
  policy: Type.Union([
    Type.Object({ computedAt: DateTime, state: Type.Unknown(), forecast: Type.Array(Type.Number()) }),
    Type.Null(),
  ]),
  history: Type.Array(Type.Object({ date: Type.String(), quantity: Type.Number() })),
  feed: Type.Array(
    Type.Object({ kind: Type.String(), at: DateTime, actorId: Type.Union([Uuid, Type.Null()]) }),
  ),
});

export const alertView = (a: AlertRow) => ({
  id: a.id,
  type: a.type as (typeof ALERT_TYPES)[number],
  severity: a.severity as (typeof SEVERITIES)[number],
  status: a.status as 'open',
  itemId: a.item_id,
  itemCode: a.item_code,
  itemNameZh: a.name_zh,
  itemNameEn: a.name_en,
  locationId: a.location_id,
  siteId: a.site_id,
  score: Number(a.score),
  ruleVersion: a.rule_version,
  explanation: a.explanation as never,
  action: (a.action ?? null) as never,
  snoozedUntil: iso(a.snoozed_until),
  dismissedReason: a.dismissed_reason,
  openedAt: isoRequired(a.opened_at),
  updatedAt: isoRequired(a.updated_at),
  acknowledgedAt: iso(a.acknowledged_at),
  resolvedAt: iso(a.resolved_at),
});

const detailView = (d: Awaited<ReturnType<typeof getAlert>>) => ({
  alert: alertView(d.alert),
  policy: d.policy
    ? {
        computedAt: new Date(d.policy.computed_at).toISOString(),
        state: d.policy.state,
        forecast: d.policy.forecast,
      }
    : null,
  history: d.history.map((h) => ({ date: h.d, quantity: Number(h.q) })),
  feed: d.feed.map((f) => ({ kind: f.kind, at: new Date(f.at).toISOString(), actorId: f.actor_id })),
});

export async function alertRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/alerts',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['alerts'],
        summary: 'Alerts: open ones first, then those in progress, most severe first within each',
        description:
          'Without `status`: every live alert — open, acknowledged and snoozed (the ones in progress stay visible, after the open ones; an alert in progress that escalates is reopened and comes back to the top). `status=in_progress` lists the acknowledged and snoozed ones.',
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Optional(StatusFilter),
            type: Type.Optional(AlertType),
            severity: Type.Optional(Severity),
            siteId: Type.Optional(Uuid),
            itemId: Type.Optional(Uuid),
            locationId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(Alert), ...problemResponses },
      },
    },
    async (request) => {
      const { limit: l, cursor, ...filter } = request.query;
      const limit = pageLimit(l);
      const after = decodeCursor(cursor, ['int', 'int', 'timestamp', 'uuid']);
      const rows = await listAlerts(deps, authOf(request), filter, limit, after);
      const rank = (s: string) => (SEVERITIES as readonly string[]).indexOf(s);
      const page = paginate(rows, limit, (r) => [
        r.status === 'open' ? 0 : 1,
        rank(r.severity),
        isoRequired(r.opened_at),
        r.id,
      ]);
      return { items: page.items.map(alertView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/alerts/summary',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['alerts'],
        summary: 'Counts of live alerts (open and in progress) by severity and type',
        querystring: Type.Object({ siteId: Type.Optional(Uuid) }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            /** The same alerts the default list shows. */
            total: Type.Integer(),
            open: Type.Integer(),
            inProgress: Type.Integer(),
            bySeverity: Type.Record(Type.String(), Type.Integer()),
            byType: Type.Record(Type.String(), Type.Integer()),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const rows = await alertSummary(deps, authOf(request), request.query.siteId);
      const bySeverity: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0 };
      const byType: Record<string, number> = {};
      for (const r of rows) {
        bySeverity[r.severity] = (bySeverity[r.severity] ?? 0) + r.n;
        byType[r.type] = (byType[r.type] ?? 0) + r.n;
      }
      const sum = (rs: typeof rows) => rs.reduce((a, r) => a + r.n, 0);
      return {
        total: sum(rows),
        open: sum(rows.filter((r) => !r.in_progress)),
        inProgress: sum(rows.filter((r) => r.in_progress)),
        bySeverity,
        byType,
      };
    },
  );

  app.get(
    '/v1/alerts/feed',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['alerts'],
        summary: 'In-app feed: alert lifecycle events, newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: {
          200: pageOf(
            Type.Object({
              id: Type.Integer(),
              alertId: Uuid,
              kind: Type.String(),
              at: DateTime,
              type: Type.String(),
              severity: Type.String(),
              itemCode: Type.String(),
              itemNameZh: Type.String(),
              itemNameEn: Type.String(),
              siteId: Uuid,
            }),
          ),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(request.query.cursor, ['int']);
      const rows = await alertFeed(deps, authOf(request), limit, after ? Number(after[0]) : undefined);
      const page = paginate(rows, limit, (r) => [Number(r.id)]);
      return {
        items: page.items.map((r) => ({
          id: Number(r.id),
          alertId: r.alert_id,
          kind: r.kind,
          at: new Date(r.at).toISOString(),
          type: r.type,
          severity: r.severity,
          itemCode: r.item_code,
          itemNameZh: r.name_zh,
          itemNameEn: r.name_en,
          siteId: r.site_id,
        })),
        nextCursor: page.nextCursor,
      };
    },
  );

  app.get(
    '/v1/alerts/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['alerts'],
        summary:
          'One alert with its explanation, the computed policy, 90 days of history, the forecast and its lifecycle',
        params: IdParams,
        response: { 200: AlertDetail, ...problemResponses },
      },
    },
    async (request) => detailView(await getAlert(deps, authOf(request), request.params.id)),
  );

  const transition = (
    path: string,
    summary: string,
    body: ReturnType<typeof Type.Object>,
    toTransition: (b: never) => Parameters<typeof transitionAlert>[3],
  ) =>
    app.post(
      `/v1/alerts/:id/${path}`,
      {
        config: { access: { scope: ['stock:write', 'purchasing'] } },
        schema: {
          tags: ['alerts'],
          summary,
          params: IdParams,
          body,
          response: { 200: AlertDetail, ...problemResponses },
        },
      },
      async (request) =>
        detailView(
          await transitionAlert(
            deps,
            authOf(request),
            (request.params as { id: string }).id,
            toTransition(request.body as never),
          ),
        ),
    );
  transition(
    'acknowledge',
    'Acknowledge an alert (someone is on it)',
    Type.Object({}, { additionalProperties: false }),
    () => ({ kind: 'acknowledge' }),
  );
  transition(
    'dismiss',
    'Dismiss an alert as a false alarm, with a reason (feeds the alert-precision KPI; stays quiet until its condition clears)',
    Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }) }, { additionalProperties: false }),
    (b: { reason: string }) => ({ kind: 'dismiss', reason: b.reason }),
  );
  transition(
    'snooze',
    'Snooze an alert until a time; it reopens then if the condition still holds',
    Type.Object({ until: DateTime }, { additionalProperties: false }),
    (b: { until: string }) => ({ kind: 'snooze', until: b.until }),
  );
}
