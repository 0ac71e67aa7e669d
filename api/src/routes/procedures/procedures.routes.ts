import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { wakeRecalculation } from '../../lib/enqueue-recalculation.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { DateTime, IdParams, IsoDate, NullableDateTime, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { afterMovement } from '../movements/after-movement.ts';
import {
  createProcedureType,
  getProcedureType,
  listProcedureTypes,
  procedureTypeView,
  replaceKit,
} from './procedure-type.service.ts';
import {
  cancelProcedure,
  completeProcedure,
  getScheduledProcedure,
  listScheduledProcedures,
  MAX_PLANNED_DAYS,
  plannedDemand,
  scheduledView,
  scheduleProcedure,
  upsertSchedule,
} from './scheduled-procedure.service.ts';

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Code = Type.String({ minLength: 1, maxLength: 60, pattern: '^[A-Za-z0-9_.-]+$' });
const ExternalRef = Type.String({
  minLength: 1,
  maxLength: 120,
  description: "The HIS's own id for this procedure; unique in the organisation.",
});
const ProcedureStatus = StringEnum(['scheduled', 'done', 'cancelled']);

const KitLineInput = Type.Object(
  {
    itemId: Uuid,
    quantity: Type.Number({ exclusiveMinimum: 0, description: 'In `unit`; stored in base units.' }),
    unit: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 30,
        description: "One of the item's pack units; the base unit when absent.",
      }),
    ),
  },
  { additionalProperties: false },
);
const KitLines = Type.Array(KitLineInput, { maxItems: 200 });
const KitItem = Type.Object({
  itemId: Uuid,
  itemCode: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  baseUnit: Type.String(),
  baseUnitName: Type.Object(
    { zh: Type.String(), en: Type.String() },
    { description: 'the base unit as people write it (支 / piece)' },
  ),
  quantity: Type.Integer({ description: 'base units per procedure' }),
});
const ProcedureType = Type.Object({
  id: Uuid,
  code: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  createdAt: DateTime,
  kit: Type.Array(KitItem),
});
const ScheduledProcedure = Type.Object({
  id: Uuid,
  procedureTypeId: Uuid,
  procedureTypeCode: Type.String(),
  siteId: Uuid,
  locationId: Uuid,
  scheduledFor: IsoDate,
  externalRef: Nullable(Type.String()),
  status: ProcedureStatus,
  doneAt: NullableDateTime,
  createdAt: DateTime,
  updatedAt: DateTime,
});
const ProcedureTypeRef = {
  procedureTypeId: Type.Optional(Uuid),
  procedureTypeCode: Type.Optional(
    Type.String({ minLength: 1, maxLength: 60, description: 'Instead of procedureTypeId' }),
  ),
};
const KitMovement = Type.Object({
  groupId: Uuid,
  itemId: Uuid,
  lotNumber: Type.String(),
  expiryDate: Nullable(IsoDate),
  quantity: Type.Integer({ description: 'signed base units (negative: issued)' }),
});
const PlannedLine = Type.Object({
  date: IsoDate,
  itemId: Uuid,
  itemCode: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  baseUnit: Type.String(),
  siteId: Uuid,
  locationId: Uuid,
  quantity: Type.Integer({ description: 'kit quantity × procedures, base units' }),
  procedures: Type.Integer({
    description: 'scheduled procedures that day needing this item at this location',
  }),
});

export async function procedureRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['clinical'];

  app.post(
    '/v1/procedure-types',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'Create a procedure type with its kit (the consumables one procedure uses)',
        body: Type.Object(
          {
            code: Code,
            nameZh: Type.String({ minLength: 1, maxLength: 200 }),
            nameEn: Type.String({ minLength: 1, maxLength: 200 }),
            kit: Type.Optional(KitLines),
          },
          { additionalProperties: false },
        ),
        response: { 201: ProcedureType, ...problemResponses },
      },
    },
    async (request, reply) => {
      const pt = await createProcedureType(deps, authOf(request), request.body);
      reply.header('location', `/v1/procedure-types/${pt.id}`);
      return reply.status(201).send(pt);
    },
  );

  app.get(
    '/v1/procedure-types',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'List procedure types with their kits, by code',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(ProcedureType), ...problemResponses },
      },
    },
    async (request) => {
      const limit = pageLimit(request.query.limit);
      const after = decodeCursor(request.query.cursor, ['text']);
      const rows = await listProcedureTypes(
        deps,
        authOf(request),
        limit,
        after ? String(after[0]) : undefined,
      );
      const page = paginate(rows, limit, (r) => [r.code]);
      return { items: page.items.map(procedureTypeView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/procedure-types/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'A procedure type with its kit',
        params: IdParams,
        response: { 200: ProcedureType, ...problemResponses },
      },
    },
    async (request) => getProcedureType(deps, authOf(request), request.params.id),
  );

  app.put(
    '/v1/procedure-types/:id/kit',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: "Replace a procedure type's kit",
        description:
          'Quantities per procedure, in `unit` (default base unit); an empty list clears the kit. Scheduled procedures use the new kit from now on.',
        params: IdParams,
        body: Type.Object({ items: KitLines }, { additionalProperties: false }),
        response: { 200: ProcedureType, ...problemResponses },
      },
    },
    async (request) => replaceKit(deps, authOf(request), request.params.id, request.body.items),
  );

  app.post(
    '/v1/scheduled-procedures',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'Schedule one procedure at a location and date',
        description:
          'The site is the one of `locationId`. Name the procedure type by `procedureTypeId` or `procedureTypeCode`. A taken `externalRef` is 409 `external_ref_taken` (the bulk route updates).',
        body: Type.Object(
          {
            ...ProcedureTypeRef,
            locationId: Uuid,
            scheduledFor: IsoDate,
            externalRef: Type.Optional(ExternalRef),
          },
          { additionalProperties: false },
        ),
        response: { 201: ScheduledProcedure, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { procedure, touched } = await scheduleProcedure(deps, auth, request.body);
      if (touched.length) await wakeRecalculation(deps, auth.organizationId);
      reply.header('location', `/v1/scheduled-procedures/${procedure.id}`);
      return reply.status(201).send(procedure);
    },
  );

  app.post(
    '/v1/scheduled-procedures/bulk',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'Upsert up to 1000 scheduled procedures by externalRef (an HIS posting its schedule)',
        description: [
          'Idempotent: rows are matched by `externalRef`; new ones are created, changed ones updated (date, location, procedure type, status), identical ones left alone. A procedure already done is never changed (`locked`). Set `status: cancelled` to cancel.',
          'Every row is validated first; any bad row refuses the whole batch with 422 `invalid_rows` and one error per bad field (`body:/items/<n>/<field>`).',
        ].join('\n\n'),
        body: Type.Object(
          {
            items: Type.Array(
              Type.Object(
                {
                  ...ProcedureTypeRef,
                  externalRef: ExternalRef,
                  locationId: Uuid,
                  scheduledFor: IsoDate,
                  status: Type.Optional(StringEnum(['scheduled', 'cancelled'])),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 1000 },
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            summary: Type.Object({
              created: Type.Integer(),
              updated: Type.Integer(),
              unchanged: Type.Integer(),
              locked: Type.Integer(),
            }),
            items: Type.Array(
              Type.Object({
                externalRef: Type.String(),
                id: Uuid,
                outcome: StringEnum(['created', 'updated', 'unchanged', 'locked']),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { summary, items, touched } = await upsertSchedule(deps, auth, request.body.items);
      if (touched.length) await wakeRecalculation(deps, auth.organizationId);
      return { summary, items };
    },
  );

  app.get(
    '/v1/scheduled-procedures',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'The procedure schedule, by date, with filters',
        description: '`from` and `to` are inclusive dates. Users limited to some sites see only those sites.',
        querystring: Type.Object(
          {
            ...PageQuery,
            siteId: Type.Optional(Uuid),
            locationId: Type.Optional(Uuid),
            procedureTypeId: Type.Optional(Uuid),
            status: Type.Optional(ProcedureStatus),
            from: Type.Optional(IsoDate),
            to: Type.Optional(IsoDate),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(ScheduledProcedure), ...problemResponses },
      },
    },
    async (request) => {
      const { limit: l, cursor, ...filter } = request.query;
      const limit = pageLimit(l);
      const rows = await listScheduledProcedures(
        deps,
        authOf(request),
        filter,
        limit,
        decodeCursor(cursor, ['date', 'uuid']),
      );
      const page = paginate(rows, limit, (r) => [r.scheduled_for, r.id]);
      return { items: page.items.map(scheduledView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/scheduled-procedures/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'One scheduled procedure',
        params: IdParams,
        response: { 200: ScheduledProcedure, ...problemResponses },
      },
    },
    async (request) => getScheduledProcedure(deps, authOf(request), request.params.id),
  );

  app.post(
    '/v1/scheduled-procedures/:id/complete',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'Mark a procedure done and issue its kit from its location (FEFO)',
        description:
          'Issues each kit item first-expiry-first-out, skipping expired lots. If any item is short, 409 `insufficient_stock` lists every shortage (`shortages`) and nothing changes. Only a scheduled procedure can be completed: 409 `invalid_transition` otherwise.',
        params: IdParams,
        body: Type.Object({ doneAt: Type.Optional(DateTime) }, { additionalProperties: false }),
        response: {
          200: Type.Object({ procedure: ScheduledProcedure, movements: Type.Array(KitMovement) }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { procedure, posted, deliveryIds } = await completeProcedure(
        deps,
        auth,
        request.params.id,
        request.body ?? {},
      );
      await afterMovement(deps, auth, { posted, deliveryIds });
      return {
        procedure,
        movements: posted.map((m) => ({
          groupId: m.groupId,
          itemId: m.itemId,
          lotNumber: m.lotNumber,
          expiryDate: m.expiryDate,
          quantity: m.quantity,
        })),
      };
    },
  );

  app.post(
    '/v1/scheduled-procedures/:id/cancel',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'Cancel a scheduled procedure',
        description: 'Only a scheduled procedure can be cancelled: 409 `invalid_transition` otherwise.',
        params: IdParams,
        response: { 200: ScheduledProcedure, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { procedure, touched } = await cancelProcedure(deps, auth, request.params.id);
      if (touched.length) await wakeRecalculation(deps, auth.organizationId);
      return procedure;
    },
  );

  app.get(
    '/v1/planned-demand',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary:
          'Planned demand from the schedule: kit quantity × scheduled procedures, per date, item and location',
        description: `The forward-demand input of the forecasting engine. Only procedures still scheduled count. \`from\` defaults to today, \`to\` (inclusive) to 29 days later; at most ${MAX_PLANNED_DAYS} days. \`totals\` sums each item over the range.`,
        querystring: Type.Object(
          {
            siteId: Type.Optional(Uuid),
            locationId: Type.Optional(Uuid),
            itemId: Type.Optional(Uuid),
            from: Type.Optional(IsoDate),
            to: Type.Optional(IsoDate),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            from: IsoDate,
            to: IsoDate,
            items: Type.Array(PlannedLine),
            totals: Type.Array(
              Type.Object({
                itemId: Uuid,
                itemCode: Type.String(),
                baseUnit: Type.String(),
                quantity: Type.Integer(),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => plannedDemand(deps, authOf(request), request.query),
  );
}
