import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { PdfResponse, sendPdf } from '../../lib/pdf-reply.ts';
import { negotiateLocale } from '../../lib/problem-language.ts';
import {
  DateTime,
  IdParams,
  IsoDate,
  Locale,
  NullableDateTime,
  StringEnum,
  Uuid,
} from '../../lib/schemas.ts';
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
import { emailPurchaseOrder, purchaseOrderDocument } from './purchase-order-documents.service.ts';
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
    expectedAt: Type.Optional(
      Nullable(
        Type.String({
          format: 'date',
          description:
            "This line's promised delivery day when it differs from the order's; null: the order's.",
        }),
      ),
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
  supplierEmail: Nullable(
    Type.String({ description: "the supplier's contact e-mail, where the order is e-mailed by default" }),
  ),
  siteId: Uuid,
  locationId: Uuid,
  allowOverReceipt: Type.Boolean(),
  notes: Nullable(Type.String()),
  source: Type.String(),
  expectedAt: Nullable(IsoDate),
  createdBy: Nullable(Uuid),
  approvedBy: Nullable(Uuid),
  sentBy: Nullable(Uuid),
  cancelledBy: Nullable(Uuid),
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
  expectedAt: Nullable(
    Type.String({
      format: 'date',
      description: "this line's own delivery day; null: the order's `expectedAt`",
    }),
  ),
  baseUnitName: Type.Object(
    { zh: Type.String(), en: Type.String() },
    { description: 'the base unit as people write it (支 / piece)' },
  ),
});
const HistoryEntry = Type.Object({
  action: StringEnum(['created', 'edited', 'approved', 'sent', 'emailed', 'received', 'cancelled']),
  at: DateTime,
  actorId: Nullable(Uuid),
  actorName: Nullable(Type.String({ description: "the person's name (or e-mail), or the API key's name" })),
  detail: Type.Record(Type.String(), Type.Unknown(), {
    description:
      'edited: `fields`; emailed: `recipient`, `locale`; received: `quantity` (base units), `reference`; cancelled: `reason`; created: `source`',
  }),
});
const PurchaseOrder = Type.Object({
  ...SummaryProps,
  editedBy: Type.Array(Uuid, {
    description:
      'Users and API keys that edited the draft, first edit first; none of them (nor the creator) may approve it.',
  }),
  lines: Type.Array(PurchaseOrderLine),
  createdByName: Nullable(Type.String()),
  approvedByName: Nullable(Type.String()),
  sentByName: Nullable(Type.String()),
  cancelledByName: Nullable(Type.String()),
  history: Type.Array(HistoryEntry, {
    description:
      'Every step of the order, oldest first: who did it and when (receipts: one entry per posting).',
  }),
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
    summary: 'Cancel a purchase order that has no receipts (a reason is required)',
    description: [
      'draft, approved or sent → cancelled. Once anything was received (partially received, received) or when already cancelled: 409 `invalid_transition`.',
      'The reason is required (422 `cancel_reason_required`) and kept with who cancelled and when (`cancelReason`, `cancelledBy`, `cancelledAt`, `history`). Emits `purchase_order.status_changed` and `purchase_order.cancelled` (with the reason).',
    ].join('\n\n'),
  },
};

export async function purchaseOrderRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
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
          params: IdParams,
          body: Type.Object(
            action === 'cancel'
              ? { reason: Type.Optional(Type.String({ maxLength: 500, description: 'Why; required.' })) }
              : {},
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
          'Receiving checks (as for POST /v1/movements): a lot-tracked item needs lot and expiry (422 `lot_required`, `expiry_required`); an expired lot is 409 `lot_expired_on_receipt` and a short-dated one 409 `lot_short_dated`, unless the entry sets `acceptExpired` / `acceptShortDated` with a `reason`. Consignment items of the order’s supplier are received vendor-owned. `inspection: true` receives into quarantine. An entry may be a `scan` of the box instead of a `lineId`.',
          'Refusals: 409 `over_receipt` (beyond the outstanding quantity, unless the order allows over-receipt), 409 `invalid_transition` (draft, received or cancelled), 422 `invalid_lines` (incl. `scan_not_on_order`, `scan_mismatch`), 422 `lot_expiry_mismatch`. Nothing is written when any entry is refused.',
        ].join('\n\n'),
        params: IdParams,
        body: Type.Object(
          {
            lines: Type.Array(
              Type.Object(
                {
                  lineId: Type.Optional(Uuid),
                  quantity: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
                  unit: Type.Optional(UnitCode),
                  lotNumber: Type.Optional(Type.String({ maxLength: 40 })),
                  expiryDate: Type.Optional(IsoDate),
                  scan: Type.Optional(
                    Type.String({
                      minLength: 8,
                      maxLength: 200,
                      description:
                        'A GS1 element string from the box: picks the line by GTIN and fills lot, expiry, quantity (1 of the scanned unit, or AI 30) and unit; typed values win, a contradicting lot or expiry is 422 `scan_mismatch`.',
                    }),
                  ),
                  acceptExpired: Type.Optional(
                    Type.Boolean({
                      description: 'Receive an expired lot: an explicit override, needs `reason`.',
                    }),
                  ),
                  acceptShortDated: Type.Optional(
                    Type.Boolean({
                      description: 'Receive a short-dated lot: an explicit override, needs `reason`.',
                    }),
                  ),
                  reason: Type.Optional(Type.String({ maxLength: 500 })),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 500 },
            ),
            receivedAt: Type.Optional(DateTime),
            reference: Type.Optional(
              Type.String({ maxLength: 200, description: 'Your reference; default the PO number.' }),
            ),
            invoiceNumber: Type.Optional(Type.String({ maxLength: 60, description: '发票号' })),
            deliveryNoteNumber: Type.Optional(Type.String({ maxLength: 60, description: '随货同行单号' })),
            inspection: Type.Optional(
              Type.Boolean({ description: 'Into quarantine until inspected (待验收): GET /v1/inspections.' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            purchaseOrder: PurchaseOrder,
            leadTimeDays: Type.Number({ description: 'recorded for each order line received' }),
            movements: Type.Array(ReceiptMovement),
            inspectionIds: Type.Optional(
              Type.Array(Uuid, { description: 'Receipts into inspection (待验收)' }),
            ),
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
        ...(result.inspectionIds.length ? { inspectionIds: result.inspectionIds } : {}),
      });
    },
  );

  app.get(
    '/v1/purchase-orders/:id/pdf',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'The purchase order as a PDF (A4), for printing or sending to the supplier',
        description:
          'In `locale`, else the language of Accept-Language (zh-CN or en). Chinese text is drawn with a CJK font found on the server (PDF_FONT, else WenQuanYi / Noto CJK / fontconfig); without one the PDF says so at the top and `X-Pdf-Font: fallback` is set. A draft prints marked as not approved; a cancelled order as cancelled with its reason.',
        params: IdParams,
        querystring: Type.Object({ locale: Type.Optional(Locale) }, { additionalProperties: false }),
        response: {
          200: PdfResponse,
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const locale = request.query.locale ?? negotiateLocale(request.headers['accept-language']);
      const doc = await purchaseOrderDocument(deps, authOf(request), request.params.id, locale);
      return sendPdf(reply, doc, locale);
    },
  );

  app.post(
    '/v1/purchase-orders/:id/email',
    {
      config: { access: { scope: 'purchasing' } },
      schema: {
        tags,
        summary: 'E-mail the purchase order (PDF attached) to the supplier',
        description: [
          "To the supplier's contact e-mail, or `to`; none: 422 `supplier_email_missing`. In `locale` (default zh-CN). Recorded in the order's `history` (who, when, to whom).",
          'Only approved orders go out: a draft is 409 `po_not_approved`; received or cancelled orders 409 `invalid_transition`. An approved order e-mailed becomes sent (the lead time is measured from now) unless `markSent` is false; sent and partially received orders may be e-mailed again.',
          'When the mail server refuses the message nothing is recorded: 503 `mail_unavailable`, retry.',
        ].join('\n\n'),
        params: IdParams,
        body: Type.Object(
          {
            to: Type.Optional(Type.String({ format: 'email', maxLength: 254 })),
            locale: Type.Optional(Locale),
            message: Type.Optional(
              Type.String({ maxLength: 2000, description: 'A few words added to the e-mail text.' }),
            ),
            markSent: Type.Optional(
              Type.Boolean({ description: 'Mark an approved order sent (default true).' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ purchaseOrder: PurchaseOrder, recipient: Type.String() }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const r = await emailPurchaseOrder(deps, auth, request.params.id, request.body);
      await afterMovement(deps, auth, { posted: [], deliveryIds: r.deliveryIds });
      return { purchaseOrder: r.purchaseOrder, recipient: r.recipient };
    },
  );
}
