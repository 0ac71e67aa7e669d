import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { DateTime, IdParams, IsoDate, StringEnum, Uuid } from '../../lib/schemas.ts';
import { assertAllSites } from '../../plugins/access.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { afterMovement } from '../movements/after-movement.ts';
import { WriteOffReasonSchema } from '../movements/movements.routes.ts';
import { lookUpReceiptScan } from '../purchase-orders/receipt-scan.ts';
import {
  decideInspection,
  getReceivingSettings,
  listInspections,
  putReceivingSettings,
} from './inspections.service.ts';

const nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);

const InspectionStatus = StringEnum(['pending', 'released', 'rejected']);

const Inspection = Type.Object({
  id: Uuid,
  groupId: Uuid,
  status: InspectionStatus,
  itemId: Uuid,
  itemCode: Type.String(),
  itemNameZh: Type.String(),
  itemNameEn: Type.String(),
  baseUnit: Type.String(),
  locationId: Uuid,
  locationName: Type.String(),
  siteId: Uuid,
  lotNumber: Type.String(),
  expiryDate: nullable(IsoDate),
  quantity: Type.Integer({ description: 'Base units received into quarantine' }),
  supplierId: nullable(Uuid),
  supplierName: nullable(Type.String()),
  purchaseOrderId: nullable(Uuid),
  purchaseOrderNumber: nullable(Type.String()),
  invoiceNumber: nullable(Type.String()),
  deliveryNoteNumber: nullable(Type.String()),
  receivedBy: nullable(Uuid),
  receivedByName: nullable(Type.String()),
  receivedAt: DateTime,
  decidedBy: nullable(Uuid),
  decidedByName: nullable(Type.String()),
  decidedAt: nullable(DateTime),
  decisionReason: nullable(Type.String()),
  disposalGroupId: Type.Union([Uuid, Type.Null()], {
    description: 'Rejected: the return or write-off movement',
  }),
});

const ReceivingSettings = Type.Object({
  shortDatedDays: Type.Integer({
    description:
      'A lot expiring within this many days of its receipt is short-dated (近效期): receiving it needs acceptShortDated with a reason.',
  }),
  updatedBy: nullable(Uuid),
  updatedAt: nullable(DateTime),
});

export async function receivingRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['receiving'];

  app.get(
    '/v1/inspections',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'Receipts in inspection (待验收) and their decisions',
        description:
          'A receipt posted with `inspection: true` (POST /v1/movements or a purchase-order receipt) waits here: its units are on hand but quarantined at their location — no issue or transfer takes them — until released or rejected. Default `status=pending`. Site-limited callers see their sites only.',
        querystring: Type.Object(
          {
            status: Type.Optional(InspectionStatus),
            siteId: Type.Optional(Uuid),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(Inspection) }), ...problemResponses },
      },
    },
    async (request) => ({
      items: await listInspections(deps, authOf(request), {
        status: request.query.status ?? 'pending',
        siteId: request.query.siteId,
        limit: request.query.limit ?? 200,
      }),
    }),
  );

  app.post(
    '/v1/inspections/:id/release',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'Release inspected goods into usable stock',
        description:
          'The quarantine of the inspection’s units is lifted (a recall of the same lot keeps its own hold). Refusals: 409 `inspection_decided` (already released or rejected), 404 outside the caller’s sites. Emits `inspection.released`.',
        params: IdParams,
        body: Type.Object(
          { reason: Type.Optional(Type.String({ maxLength: 500, description: 'Inspection note' })) },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ inspection: Inspection }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const r = await decideInspection(deps, auth, request.params.id, {
        decision: 'release',
        reason: request.body.reason,
      });
      await afterMovement(deps, auth, { posted: r.posted, deliveryIds: r.deliveryIds });
      return { inspection: r.inspection };
    },
  );

  app.post(
    '/v1/inspections/:id/reject',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'Reject inspected goods: return them to the supplier or write them off',
        description:
          'The quarantined units leave the stock in one movement naming the lot: a `return` to the supplier (退货; the receipt’s supplier, or `supplierId`) or a `write_off` (报损, `writeOffReason`, default other). `reason` is required and recorded. Refusals: 409 `inspection_decided`, 422 `reason_required`, 422 `supplier_required`. Emits `inspection.rejected` and the disposal’s `movement.created`.',
        params: IdParams,
        body: Type.Object(
          {
            reason: Type.String({ minLength: 1, maxLength: 500 }),
            disposition: Type.Optional(StringEnum(['return', 'write_off'], { default: 'return' })),
            supplierId: Type.Optional(Uuid),
            writeOffReason: Type.Optional(WriteOffReasonSchema),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            inspection: Inspection,
            movements: Type.Array(
              Type.Object({
                groupId: Uuid,
                type: Type.String(),
                lotNumber: nullable(Type.String()),
                quantity: Type.Integer(),
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const r = await decideInspection(deps, auth, request.params.id, {
        decision: 'reject',
        ...request.body,
      });
      await afterMovement(deps, auth, { posted: r.posted, deliveryIds: r.deliveryIds });
      return {
        inspection: r.inspection,
        movements: r.posted.map((m) => ({
          groupId: m.groupId,
          type: m.type,
          lotNumber: m.lotNumber,
          quantity: m.quantity,
        })),
      };
    },
  );

  app.get(
    '/v1/purchase-orders/:id/receipt-scan',
    {
      config: { access: { scope: ['purchasing', 'stock:write'] } },
      schema: {
        tags,
        summary: 'Match a scanned GS1 code to a line of the order (receipt by scan)',
        description:
          'Parses the element string (AI 01 GTIN, 10 lot, 17 expiry, 30 count; GS separators or the parenthesised form) and finds the order line whose item carries the GTIN (its own or one linked to it: a box GTIN marks its pack unit). Returns what a receipt entry with this `scan` would receive: quantity 1 of the scanned unit, or AI 30’s count of base units. Nothing is written. 422 `scan_not_on_order`, `gs1_*`.',
        params: IdParams,
        querystring: Type.Object(
          // Optional in the schema so an order that is not the caller's is 404 before anything else.
          { scan: Type.Optional(Type.String({ minLength: 8, maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            lineId: Uuid,
            itemId: Uuid,
            itemCode: Type.String(),
            gtin: Type.String(),
            unit: Type.String(),
            unitNameZh: Type.String(),
            unitNameEn: Type.String(),
            quantity: Type.Number(),
            lotNumber: Type.Optional(Type.String()),
            expiryDate: Type.Optional(IsoDate),
            serial: Type.Optional(Type.String()),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => lookUpReceiptScan(deps, authOf(request), request.params.id, request.query.scan),
  );

  app.get(
    '/v1/receiving/settings',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'Receiving settings: the short-dated window',
        response: { 200: ReceivingSettings, ...problemResponses },
      },
    },
    async (request) => getReceivingSettings(deps, authOf(request)),
  );

  app.put(
    '/v1/receiving/settings',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags,
        summary: 'Set the short-dated window (days before expiry, default 90)',
        description:
          'Organisation-wide: an admin limited to some sites may not change it (403 `all_sites_required`).',
        body: Type.Object(
          { shortDatedDays: Type.Integer({ minimum: 0, maximum: 3650 }) },
          { additionalProperties: false },
        ),
        response: { 200: ReceivingSettings, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      assertAllSites(auth, 'The receiving settings apply to every site.');
      return putReceivingSettings(deps, auth, request.body.shortDatedDays);
    },
  );
}
