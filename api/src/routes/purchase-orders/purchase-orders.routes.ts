import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { DateTime, IdParams, IsoDate, NullableDateTime, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { afterMovement } from '../movements/after-movement.ts';
import {
  createPurchaseOrder,
  getPurchaseOrder,
  listPurchaseOrders,
  type PoAction,
  purchaseOrderSummaryView,
  transitionPurchaseOrder,
  updatePurchaseOrder,
} from './purchase-order.service.ts';
import { receivePurchaseOrder } from './receipt.service.ts';

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const PoStatus = StringEnum(['draft', 'approved', 'sent', 'partially_received', 'received', 'cancelled']);
const UnitCode = Type.String({
  minLength: 1,
  maxLength: 30,
  description: "One of the item's pack units; the base unit when absent.",
});

const LineInput = Type.Object(
  {
    itemId: Uuid,
    quantity: Type.Number({ exclusiveMinimum: 0, description: 'In `unit`; stored in base units.' }),
    unit: Type.Optional(UnitCode),
    unitPrice: Type.Optional(
      Type.Number({
        minimum: 0,
        description:
          "Price per `unit`. Default: the supplier's pack price ÷ pack size, else the item's unit cost.",
      }),
    ),
  },
  { additionalProperties: false },
);
const Lines = Type.Array(LineInput, { minItems: 1, maxItems: 500 });

const SummaryProps = {
  id: Uuid,
  number: Type.String(),
  status: PoStatus,
  supplierId: Uuid,
  supplierCode: Type.String(),
  supplierName: Type.String(),
  siteId: Uuid,
  locationId: Uuid,
  allowOverReceipt: Type.Boolean(),
  notes: Nullable(Type.String()),
  source: Type.String(),
  expectedAt: Nullable(IsoDate),
  createdBy: Nullable(Uuid),
  approvedBy: Nullable(Uuid),
  createdAt: DateTime,
  approvedAt: NullableDateTime,
  sentAt: NullableDateTime,
  receivedAt: NullableDateTime,
  cancelledAt: NullableDateTime,
  cancelReason: Nullable(Type.String()),
  updatedAt: DateTime,
  lineCount: Type.Integer(),
  quantityOrdered: Type.Integer({ description: 'base units, all lines' }),
  quantityReceived: Type.Integer({ description: 'base units, all lines' }),
  inTransit: Type.Integer({
    description: 'ordered − received while the order is open (approved, sent, partially received), else 0',
  }),
  value: Type.Number({ description: 'Σ ordered × unit price' }),
};
const PurchaseOrderSummary = Type.Object(SummaryProps);
const PurchaseOrderLine = Type.Object({
  id: Uuid,
  itemId: Uuid,
  itemCode: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  baseUnit: Type.String(),
  quantityOrdered: Type.Integer({ description: 'base units' }),
  quantityReceived: Type.Integer({ description: 'base units' }),
  inTransit: Type.Integer({ description: 'base units still expected' }),
  unitPrice: Type.Number({ description: 'per base unit' }),
  value: Type.Number(),
});
const PurchaseOrder = Type.Object({
  ...SummaryProps,
  editedBy: Type.Array(Uuid, {
    description:
      'Users and API keys that edited the draft, first edit first; none of them (nor the creator) may approve it.',
  }),
  lines: Type.Array(PurchaseOrderLine),
});

const ReceiptMovement = Type.Object({
  groupId: Uuid,
  lineId: Uuid,
  itemId: Uuid,
  lotNumber: Type.String(),
  expiryDate: Nullable(IsoDate),
  quantity: Type.Integer({ description: 'base units' }),
});

const TRANSITION_DOCS: Record<PoAction, { summary: string; description: string }> = {
  approve: {
    summary: 'Approve a draft purchase order',
    description: [
      'draft → approved. Needs the purchaser role or the admin scope (owner, admin, an admin API key): an API key with only `purchasing` may create drafts but not approve them (403 `approval_not_allowed`).',
      'Four eyes, for every role and key (owners and admins included): whoever created the order (403 `self_approval`) or edited it (403 `approver_edited`, see `editedBy`) cannot approve it.',
      'Any other status: 409 `invalid_transition`.',
    ].join('\n\n'),
  },
  send: {
    summary: 'Mark an approved purchase order as sent to the supplier',
    description:
      'approved → sent. The lead time is measured from this moment. Any other status: 409 `invalid_transition`.',
  },
  cancel: {
    summary: 'Cancel a purchase order that has no receipts',
    description:
      'draft, approved or sent → cancelled. Once anything was received (partially received, received) or when already cancelled: 409 `invalid_transition`.',
  },
};

export async function purchaseOrderRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const security = [{ bearer: [] }];
  const tags = ['purchasing'];

  app.post(
    '/v1/purchase-orders',
    {
      config: { access: { scope: 'purchasing' } },
      schema: {
        tags,
        summary: 'Create a draft purchase order',
        description:
          'The site is the one of `locationId` (the receiving store) and must be within your site limits. Line quantities are in `unit` (any pack unit of the item, default its base unit) and stored in base units; the same item may appear once. `number` defaults to PO-<year>-<n>.',
        security,
        body: Type.Object(
          {
            supplierId: Uuid,
            locationId: Uuid,
            lines: Lines,
            number: Type.Optional(
              Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_./-]+$' }),
            ),
            notes: Type.Optional(Type.String({ maxLength: 2000 })),
            expectedAt: Type.Optional(IsoDate),
            allowOverReceipt: Type.Optional(
              Type.Boolean({ description: 'Accept receipts above the ordered quantity (default false).' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: PurchaseOrder, ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const { po, deliveryIds } = await createPurchaseOrder(deps, auth, request.body);
      await afterMovement(deps, auth, { posted: [], deliveryIds });
      reply.header('location', `/v1/purchase-orders/${po.id}`);
      return reply.status(201).send(po);
    },
  );

  app.get(
    '/v1/purchase-orders',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'List purchase orders, newest first',
        description: 'Users limited to some sites see only those sites’ orders.',
        security,
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Optional(PoStatus),
            supplierId: Type.Optional(Uuid),
            siteId: Type.Optional(Uuid),
            locationId: Type.Optional(Uuid),
            itemId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(PurchaseOrderSummary), ...problemResponses },
      },
    },
    async (request) => {
      const { limit: l, cursor, ...filter } = request.query;
      const limit = pageLimit(l);
      const after = decodeCursor(cursor, ['timestamp', 'uuid']);
      const rows = await listPurchaseOrders(deps, authOf(request), filter, limit, after);
      const page = paginate(rows, limit, (r) => [r.cursor_key, r.id]);
      return { items: page.items.map(purchaseOrderSummaryView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/purchase-orders/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'A purchase order with its lines (ordered, received and in transit per line)',
        security,
        params: IdParams,
        response: { 200: PurchaseOrder, ...problemResponses },
      },
    },
    async (request) => getPurchaseOrder(deps, authOf(request), request.params.id),
  );

  app.patch(
    '/v1/purchase-orders/:id',
    {
      config: { access: { scope: 'purchasing' } },
      schema: {
        tags,
        summary: 'Edit a draft purchase order (`lines` replaces every line)',
        description:
          'Only drafts can be edited: 409 `not_draft` otherwise. Whoever edits an order is recorded in `editedBy` and may no longer approve it.',
        security,
        params: IdParams,
        body: Type.Object(
          {
            supplierId: Type.Optional(Uuid),
            locationId: Type.Optional(Uuid),
            lines: Type.Optional(Lines),
            notes: Type.Optional(Nullable(Type.String({ maxLength: 2000 }))),
            expectedAt: Type.Optional(Nullable(IsoDate)),
            allowOverReceipt: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: PurchaseOrder, ...problemResponses },
      },
    },
    async (request) => updatePurchaseOrder(deps, authOf(request), request.params.id, request.body),
  );

  for (const action of ['approve', 'send', 'cancel'] as const) {
    app.post(
      `/v1/purchase-orders/:id/${action}`,
      {
        config: { access: { scope: 'purchasing' } },
        schema: {
          tags,
          ...TRANSITION_DOCS[action],
          security,
          params: IdParams,
          body: Type.Object(
            action === 'cancel' ? { reason: Type.Optional(Type.String({ maxLength: 500 })) } : {},
            { additionalProperties: false },
          ),
          response: { 200: PurchaseOrder, ...problemResponses },
        },
      },
      async (request) => {
        const auth = authOf(request);
        const body = (request.body ?? {}) as { reason?: string };
        const { po, deliveryIds, touched } = await transitionPurchaseOrder(
          deps,
          auth,
          request.params.id,
          action,
          { reason: body.reason },
        );
        // Approval and cancellation change what is in transit: the engine recalculates those items.
        await afterMovement(deps, auth, { posted: action === 'send' ? [] : touched, deliveryIds });
        return po;
      },
    );
  }

  app.post(
    '/v1/purchase-orders/:id/receipts',
    {
      config: { access: { scope: ['purchasing', 'stock:write'] } },
      schema: {
        tags,
        summary: 'Receive goods against an approved or sent purchase order (partial receipts allowed)',
        description: [
          'Each entry names an order line, the quantity in `unit` (default base unit) and the lot; several entries may split one line into lots. Posts a ledger receipt per entry at the order’s location, updates the received quantities, records the lead time (from `sentAt`, or `approvedAt` if never sent, to `receivedAt`) once per order line, and moves the order to partially received or received.',
          'Storekeepers (`stock:write`) and purchasers (`purchasing`) may receive.',
          'Refusals: 409 `over_receipt` (beyond the outstanding quantity, unless the order allows over-receipt), 409 `invalid_transition` (draft, received or cancelled), 422 `invalid_lines`, 422 `lot_expiry_mismatch`. Nothing is written when any entry is refused.',
        ].join('\n\n'),
        security,
        params: IdParams,
        body: Type.Object(
          {
            lines: Type.Array(
              Type.Object(
                {
                  lineId: Uuid,
                  quantity: Type.Number({ exclusiveMinimum: 0 }),
                  unit: Type.Optional(UnitCode),
                  lotNumber: Type.Optional(Type.String({ maxLength: 40 })),
                  expiryDate: Type.Optional(IsoDate),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 500 },
            ),
            receivedAt: Type.Optional(DateTime),
            reference: Type.Optional(
              Type.String({ maxLength: 200, description: 'Delivery note number; default the PO number.' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            purchaseOrder: PurchaseOrder,
            leadTimeDays: Type.Number({ description: 'recorded for each order line received' }),
            movements: Type.Array(ReceiptMovement),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const result = await receivePurchaseOrder(deps, auth, request.params.id, request.body);
      await afterMovement(deps, auth, { posted: result.posted, deliveryIds: result.deliveryIds });
      const lineOf = new Map(result.po.lines.map((l) => [l.itemId, l.id]));
      return reply.status(201).send({
        purchaseOrder: result.po,
        leadTimeDays: result.leadTimeDays,
        movements: result.posted.map((m) => ({
          groupId: m.groupId,
          lineId: lineOf.get(m.itemId)!,
          itemId: m.itemId,
          lotNumber: m.lotNumber ?? '', // receipts always name a lot ('' = untracked)
          expiryDate: m.expiryDate,
          quantity: m.quantity,
        })),
      });
    },
  );
}
