import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { LEDGER_TYPES, MOVEMENT_KINDS } from '@medstock/core';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { decodeCursor, PageQuery, pageLimit, pageOf, paginate } from '../../lib/pagination.ts';
import { DateTime, IsoDate, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { afterMovement } from './after-movement.ts';
import { getMovementGroup, listMovements, movementRowView, recordMovement } from './movement.service.ts';

// Core's lists: a kind added there is a kind of this API (and of the web's generated client).
const MovementKind = StringEnum(MOVEMENT_KINDS);
const LedgerType = StringEnum(LEDGER_TYPES);

export const WriteOffReasonSchema = StringEnum(['damaged', 'expired', 'lost', 'other'], {
  description:
    'Why stock is written off (报损): damaged 破损, expired 过期, lost 丢失, other (say what in `reason`).',
});

const Movement = Type.Object({
  id: Type.Integer(),
  groupId: Uuid,
  type: LedgerType,
  itemId: Uuid,
  itemCode: Type.String(),
  locationId: Uuid,
  siteId: Uuid,
  lotNumber: Type.Union([Type.String(), Type.Null()]),
  expiryDate: Type.Union([IsoDate, Type.Null()]),
  quantity: Type.Integer({ description: 'Signed, in base units' }),
  unitCost: Type.Union([Type.Number(), Type.Null()]),
  reason: Type.Union([Type.String(), Type.Null()]),
  reference: Type.Union([Type.String(), Type.Null()]),
  source: Type.String(),
  counted: Type.Union([Type.Integer(), Type.Null()], {
    description:
      'Stocktake rows: the count (quantity is the variance). A count of the whole item-location has a header row without a lot.',
  }),
  occurredAt: DateTime,
  recordedAt: DateTime,
  actorId: Type.Union([Uuid, Type.Null()]),
  invoiceNumber: Type.Union([Type.String(), Type.Null()], {
    description: 'Receipts: the invoice number (发票号).',
  }),
  deliveryNoteNumber: Type.Union([Type.String(), Type.Null()], {
    description: 'Receipts: the delivery note number (随货同行单号).',
  }),
  supplierId: Type.Union([Uuid, Type.Null()], {
    description: 'Receipts: who delivered; returns: the supplier the goods went back to.',
  }),
  purchaseOrderId: Type.Union([Uuid, Type.Null()]),
  writeOffReason: Type.Union([WriteOffReasonSchema, Type.Null()]),
  ownerSupplierId: Type.Union([Uuid, Type.Null()], {
    description:
      'Consignment: the supplier who owned the stock this row moved, when it moved (an issue of it is usage to settle).',
  }),
  departmentId: Type.Union([Uuid, Type.Null()], { description: 'Issues: the department (科室) it went to.' }),
  costCentre: Type.Union([Type.String(), Type.Null()], { description: 'Issues: the cost centre charged.' }),
  patientRef: Type.Union([Type.String(), Type.Null()], {
    description: 'Issues: the patient reference (MRN / visit number) it was used for.',
  }),
  requisitionId: Type.Union([Uuid, Type.Null()], { description: 'Issues: the requisition it filled.' }),
});

export async function movementRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/v1/movements',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags: ['stock'],
        summary:
          'Record a stock movement (receipt, issue, transfer, adjustment, stocktake count, return, write-off)',
        description: [
          'Identify the item by `itemId`, `gtin`, or `scan` — a GS1 element string as a scanner sends it (AI 01 GTIN, 10 lot, 17 expiry, 21 serial, 30 count; GS separators, or the parenthesised form).',
          "`quantity` is in `unit` (any of the item's pack units) and is stored in base units. Without `unit`, a movement identified by a pack's own GTIN (a box or case linked to the item with its unit, as the starter catalogues do) counts that pack — scan a box of 10, send 2, and 20 are posted; otherwise the base unit.",
          'Issues, transfers and returns without `lotNumber` consume lots first-expiry-first-out; expired lots cannot be issued.',
          'A stocktake gives the counted quantity of one lot, or without `lotNumber` of the whole item-location (all lots: a shortfall is taken first-expiry-first, a surplus goes to the lot held there that expires last, to untracked stock only when no lot is held); the ledger records the count in `counted` and the variance as the quantity. An adjustment is signed.',
          "`occurredAt` dates the movement (not in the future). A movement dated before a later count is absorbed by that count (a compensating row in the count, so the count still holds and on-hand after it is unchanged); otherwise it changes today's on-hand. A dated count takes effect at its date: its variance is against the ledger balance then.",
          'A receipt (or a positive adjustment) of a lot already past its expiry on the day of the movement is refused with 409 `lot_expired_on_receipt`, unless `acceptExpired` is true and a `reason` says why (422 `reason_required` otherwise); the movement then records the reason with its actor.',
          'Receipts (issue 11): a lot-tracked item is received with its lot and expiry (422 `lot_required`, 422 `expiry_required`); a lot expiring within the short-dated window (GET /v1/receiving/settings, default 90 days) is refused with 409 `lot_short_dated` unless `acceptShortDated` is true and a `reason` says why. `invoiceNumber` and `deliveryNoteNumber` record the documents; `supplierId` who delivered (a consignment supplier of the item makes the lot vendor-owned); `inspection: true` receives into quarantine — on hand but not issuable — until released or rejected (POST /v1/inspections/{id}/release | reject).',
          'A `return` goes back to the supplier: `supplierId` (or `purchaseOrderId`, whose supplier it is) and `reason` are required. A `write_off` gives `writeOffReason` (damaged, expired, lost, other — other needs `reason`; a `reason` alone counts as other).',
          'Refusals: 409 `insufficient_stock`, 409 `lot_expired`, 409 `lot_expired_on_receipt`, 409 `lot_short_dated`, 409 `lot_quarantined`, 409 `lot_ownership_mismatch`, 422 `reason_required`, 422 `supplier_required`, 422 `write_off_reason_required`, 422 `lot_required`, 422 `expiry_required`, 422 `occurred_in_future`, 422 `units_not_integer`, 422 `gs1_check_digit`, …',
        ].join('\n\n'),
        body: Type.Object(
          {
            type: MovementKind,
            itemId: Type.Optional(Uuid),
            gtin: Type.Optional(Type.String({ pattern: '^[0-9]{8,14}$' })),
            scan: Type.Optional(Type.String({ minLength: 8, maxLength: 200 })),
            locationId: Uuid,
            toLocationId: Type.Optional(Uuid),
            quantity: Type.Optional(Type.Number()),
            unit: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
            lotNumber: Type.Optional(Type.String({ maxLength: 40 })),
            expiryDate: Type.Optional(IsoDate),
            acceptExpired: Type.Optional(
              Type.Boolean({
                description:
                  'Receive a lot that is already expired: an explicit override, which needs `reason`.',
              }),
            ),
            unitCost: Type.Optional(Type.Number({ minimum: 0 })),
            reason: Type.Optional(Type.String({ maxLength: 500 })),
            reference: Type.Optional(Type.String({ maxLength: 200 })),
            occurredAt: Type.Optional(DateTime),
            acceptShortDated: Type.Optional(
              Type.Boolean({
                description:
                  'Receive a short-dated lot (近效期): an explicit override, which needs `reason`.',
              }),
            ),
            invoiceNumber: Type.Optional(Type.String({ maxLength: 60, description: '发票号' })),
            deliveryNoteNumber: Type.Optional(Type.String({ maxLength: 60, description: '随货同行单号' })),
            supplierId: Type.Optional(Uuid),
            purchaseOrderId: Type.Optional(Uuid),
            inspection: Type.Optional(
              Type.Boolean({ description: 'Receipts: into quarantine until inspected (待验收).' }),
            ),
            writeOffReason: Type.Optional(WriteOffReasonSchema),
            departmentId: Type.Optional(
              Type.String({
                format: 'uuid',
                description:
                  'Issues: the department (科室) the stock goes to; charged to its cost centre unless `costCentre` names another. 422 `destination_only_on_issue` on other types, 422 `unknown_department`.',
              }),
            ),
            costCentre: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 40,
                description: 'Issues: the cost centre (成本中心) charged.',
              }),
            ),
            patientRef: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 64,
                pattern: '^[A-Za-z0-9._/-]+$',
                description:
                  'Issues: a patient reference (MRN, visit number) for high-value items — never a name.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({
            groupId: Uuid,
            movements: Type.Array(Movement),
            inspectionIds: Type.Optional(
              Type.Array(Uuid, {
                description: 'Receipts into inspection: the inspections waiting (待验收).',
              }),
            ),
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const result = await recordMovement(deps, auth, request.body);
      await afterMovement(deps, auth, result);
      reply.header('location', `/v1/movements/${result.posted[0]!.groupId}`);
      return reply.status(201).send({
        groupId: result.posted[0]!.groupId,
        movements: result.rows,
        ...(result.inspectionIds.length ? { inspectionIds: result.inspectionIds } : {}),
      });
    },
  );

  app.get(
    '/v1/movements/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['stock'],
        summary: 'The ledger rows of one posted movement (its group id)',
        params: Type.Object({ id: Uuid }, { additionalProperties: false }),
        response: {
          200: Type.Object({ groupId: Uuid, movements: Type.Array(Movement) }),
          ...problemResponses,
        },
      },
    },
    async (request) => ({
      groupId: request.params.id,
      movements: await getMovementGroup(deps, authOf(request), request.params.id),
    }),
  );

  app.get(
    '/v1/movements',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['stock'],
        summary: 'Movement history, newest first, with filters',
        querystring: Type.Object(
          {
            ...PageQuery,
            itemId: Type.Optional(Uuid),
            locationId: Type.Optional(Uuid),
            siteId: Type.Optional(Uuid),
            type: Type.Optional(LedgerType),
            lotNumber: Type.Optional(Type.String({ maxLength: 40 })),
            from: Type.Optional(DateTime),
            to: Type.Optional(DateTime),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(Movement), ...problemResponses },
      },
    },
    async (request) => {
      const { limit: l, cursor, ...filter } = request.query;
      const limit = pageLimit(l);
      const after = decodeCursor(cursor, ['int']);
      const rows = await listMovements(
        deps,
        authOf(request),
        filter,
        limit,
        after ? Number(after[0]) : undefined,
      );
      const page = paginate(rows, limit, (r) => [Number(r.id)]);
      return { items: page.items.map(movementRowView), nextCursor: page.nextCursor };
    },
  );
}
