import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { DateTime, IdParams, IsoDate, NullableDateTime, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { afterMovement } from '../movements/after-movement.ts';
import { getRecall, listRecalls, openRecall, releaseRecall, traceLot } from './recall.service.ts';

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Reason = Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' });

const RecallProps = {
  id: Uuid,
  itemId: Uuid,
  itemCode: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  lotNumber: Type.String(),
  expiryDate: Nullable(IsoDate),
  supplierId: Nullable(Uuid),
  supplierReference: Nullable(Type.String()),
  reason: Type.String(),
  status: StringEnum(['open', 'released']),
  openedBy: Nullable(Uuid),
  openedByName: Nullable(Type.String()),
  openedAt: DateTime,
  releasedBy: Nullable(Uuid),
  releasedByName: Nullable(Type.String()),
  releasedAt: NullableDateTime,
  releaseReason: Nullable(Type.String()),
  heldUnits: Type.Integer({ description: 'units of the lot on hold now (at your sites)' }),
};
const Recall = Type.Object(RecallProps);
const Trace = {
  onHand: Type.Integer({ description: 'units of the lot in stock now (at your sites)' }),
  held: Type.Integer({ description: 'of which on hold (quarantine)' }),
  locations: Type.Array(
    Type.Object({
      siteId: Uuid,
      locationId: Uuid,
      locationCode: Type.String(),
      locationName: Type.String(),
      onHand: Type.Integer(),
      held: Type.Integer(),
    }),
  ),
  departments: Type.Array(
    Type.Object({
      departmentId: Nullable(Uuid),
      departmentCode: Nullable(Type.String()),
      departmentName: Nullable(Type.String()),
      costCentre: Nullable(Type.String()),
      quantity: Type.Integer({ description: 'issued to it, base units' }),
      firstIssuedAt: DateTime,
      lastIssuedAt: DateTime,
    }),
  ),
  patients: Type.Array(
    Type.Object({
      patientRef: Type.String(),
      departmentName: Nullable(Type.String()),
      locationId: Uuid,
      quantity: Type.Integer(),
      issuedAt: DateTime,
      groupId: Uuid,
    }),
  ),
  procedures: Type.Array(
    Type.Object({
      scheduledProcedureId: Uuid,
      procedureCode: Type.String(),
      nameZh: Type.String(),
      nameEn: Type.String(),
      scheduledFor: IsoDate,
      externalRef: Nullable(Type.String()),
      locationId: Uuid,
      quantity: Type.Integer(),
      consumedAt: DateTime,
    }),
  ),
  receipts: Type.Array(
    Type.Object({ locationId: Uuid, quantity: Type.Integer(), receivedAt: DateTime, groupId: Uuid }),
  ),
};
const RecallDetail = Type.Object({ ...RecallProps, trace: Type.Object(Trace) });

const TRACE_TEXT =
  "The trace: where the lot is now (per location, with the units on hold), which departments and cost centres it was issued to, which patients (by reference) and which procedures consumed it, and where it was received — from the ledger, at the caller's sites.";

export async function recallRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['recalls'];

  app.get(
    '/v1/recalls',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'Lot recalls, newest first',
        querystring: Type.Object(
          { status: Type.Optional(StringEnum(['open', 'released'])) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Recall) }), ...problemResponses },
      },
    },
    async (request) => listRecalls(deps, authOf(request), request.query),
  );

  app.post(
    '/v1/recalls',
    {
      config: { access: { scope: ['stock:write', 'purchasing'] } },
      schema: {
        tags,
        summary: 'A supplier recalls a lot: quarantine it everywhere and trace it',
        description: [
          'One action puts every unit of the lot on hold at every location (quarantine): it is not issued or transferred (409 `lot_quarantined` / `insufficient_stock`), not counted as available, and may be returned to the supplier or written off. Stock of the lot that arrives while the recall is open is held too. Writes `recall.opened`.',
          TRACE_TEXT,
          'Only a caller with every site (403 `all_sites_required`) and not a nurse (403 `forbidden`). Refusals: 409 `recall_already_open`, 422 `unknown_lot`, 422 `unknown_item`, 422 `unknown_supplier`.',
        ].join('\n\n'),
        body: Type.Object(
          {
            itemId: Uuid,
            lotNumber: Type.String({ minLength: 0, maxLength: 40 }),
            reason: Reason,
            supplierId: Type.Optional(Uuid),
            supplierReference: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 100,
                description: "The supplier's recall notice number",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: RecallDetail, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { recall, deliveryIds } = await openRecall(deps, auth, request.body);
      await afterMovement(deps, auth, { posted: [], deliveryIds });
      reply.header('location', `/v1/recalls/${recall.id}`);
      return reply.status(201).send(recall);
    },
  );

  app.get(
    '/v1/recalls/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'One recall with its traceability report',
        description: TRACE_TEXT,
        params: IdParams,
        response: { 200: RecallDetail, ...problemResponses },
      },
    },
    async (request) => getRecall(deps, authOf(request), request.params.id),
  );

  app.post(
    '/v1/recalls/:id/release',
    {
      config: { access: { scope: ['stock:write', 'purchasing'] } },
      schema: {
        tags,
        summary: 'Release a recalled lot from quarantine, with a reason',
        description:
          'Gives back exactly the units the recall held (a hold from a pending inspection stays). Writes `recall.released`. Only a caller with every site; 409 `recall_not_open` when released already.',
        params: IdParams,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 200: RecallDetail, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { recall, deliveryIds } = await releaseRecall(deps, auth, request.params.id, request.body.reason);
      await afterMovement(deps, auth, { posted: [], deliveryIds });
      return recall;
    },
  );

  app.get(
    '/v1/lots/trace',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'Trace any lot: where it is and who received it',
        description: `${TRACE_TEXT} \`recall\` is the lot's latest recall, if any.`,
        querystring: Type.Object(
          { itemId: Uuid, lotNumber: Type.String({ maxLength: 40 }) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ itemId: Uuid, lotNumber: Type.String(), recall: Nullable(Recall), ...Trace }),
          ...problemResponses,
        },
      },
    },
    async (request) => traceLot(deps, authOf(request), request.query.itemId, request.query.lotNumber),
  );
}
