import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { packLabel } from '@medstock/core';
import bwipjs from 'bwip-js';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { PageQuery, pageLimit, pageOf } from '../../lib/pagination.ts';
import { DateTime, IdParams, IsoDate, NullableDateTime, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { afterMovement } from '../movements/after-movement.ts';
import {
  approveRequisition,
  cancelRequisition,
  createFixedPack,
  createRequisition,
  getFixedPack,
  getRequisition,
  issueRequisition,
  listFixedPacks,
  listRequisitions,
  pickList,
  type RequisitionOutcome,
  rejectRequisition,
  scanFixedPack,
} from './requisition.service.ts';

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Status = StringEnum(['submitted', 'approved', 'partially_issued', 'issued', 'rejected', 'cancelled']);
const UnitCode = Type.String({
  minLength: 1,
  maxLength: 30,
  description: "One of the item's pack units; the base unit when absent.",
});
const Quantity = Type.Number({ minimum: 0, description: 'In `unit`; stored in base units.' });
const Reason = Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' });

const SummaryProps = {
  id: Uuid,
  number: Type.String({ description: 'REQ-000123' }),
  status: Status,
  origin: StringEnum(['manual', 'fixed_pack'], {
    description: 'fixed_pack: raised by scanning an opened fixed-quantity pack (定数包)',
  }),
  departmentId: Uuid,
  departmentCode: Type.String(),
  departmentName: Type.String(),
  costCentre: Nullable(Type.String()),
  sourceLocationId: Uuid,
  sourceLocationCode: Type.String(),
  sourceLocationName: Type.String(),
  siteId: Uuid,
  fixedPackId: Nullable(Uuid),
  fixedPackCode: Nullable(Type.String()),
  packCopy: Nullable(Type.Integer()),
  note: Nullable(Type.String()),
  requestedBy: Nullable(Uuid),
  requestedByName: Nullable(Type.String()),
  requestedAt: DateTime,
  approvedBy: Nullable(Uuid),
  approvedByName: Nullable(Type.String()),
  approvedAt: NullableDateTime,
  rejectedBy: Nullable(Uuid),
  rejectedByName: Nullable(Type.String()),
  rejectedAt: NullableDateTime,
  rejectReason: Nullable(Type.String()),
  cancelledBy: Nullable(Uuid),
  cancelledByName: Nullable(Type.String()),
  cancelledAt: NullableDateTime,
  cancelReason: Nullable(Type.String()),
  lastIssuedBy: Nullable(Uuid),
  lastIssuedByName: Nullable(Type.String()),
  lastIssuedAt: NullableDateTime,
  closedAt: NullableDateTime,
  updatedAt: DateTime,
  lineCount: Type.Integer(),
  quantityRequested: Type.Integer({ description: 'base units, all lines' }),
  quantityApproved: Nullable(Type.Integer({ description: 'base units, all lines; null before approval' })),
  quantityIssued: Type.Integer({ description: 'base units, all lines' }),
};
const RequisitionSummary = Type.Object(SummaryProps);
const RequisitionLine = Type.Object({
  id: Uuid,
  lineNo: Type.Integer(),
  itemId: Uuid,
  itemCode: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  baseUnit: Type.String(),
  requested: Type.Integer({ description: 'base units' }),
  approved: Nullable(Type.Integer({ description: 'base units; null before approval' })),
  issued: Type.Integer({ description: 'base units' }),
  remaining: Nullable(Type.Integer({ description: 'approved − issued; null before approval' })),
  adjustReason: Nullable(Type.String()),
});
const Requisition = Type.Object({
  ...SummaryProps,
  lines: Type.Array(RequisitionLine),
  issues: Type.Array(
    Type.Object(
      { groupId: Uuid, issuedBy: Nullable(Uuid), issuedByName: Nullable(Type.String()), issuedAt: DateTime },
      {
        description: 'Each issue: its ledger group (GET /v1/movements/{groupId}), who and when',
      },
    ),
  ),
});
const PickList = Type.Object({
  requisitionId: Uuid,
  number: Type.String(),
  sourceLocationId: Uuid,
  sourceLocationCode: Type.String(),
  sourceLocationName: Type.String(),
  departmentName: Type.String(),
  generatedAt: DateTime,
  lines: Type.Array(
    Type.Object({
      lineId: Uuid,
      itemId: Uuid,
      itemCode: Type.String(),
      nameZh: Type.String(),
      nameEn: Type.String(),
      baseUnit: Type.String(),
      remaining: Type.Integer({ description: 'left to issue, base units' }),
      picks: Type.Array(
        Type.Object({ lotNumber: Type.String(), expiryDate: Nullable(IsoDate), quantity: Type.Integer() }),
      ),
      shortfall: Type.Integer({ description: 'what usable stock at the store cannot cover' }),
      expiredUnits: Type.Integer({ description: 'units at the store left out because expired' }),
      quarantinedUnits: Type.Integer({ description: 'units at the store left out because on hold' }),
    }),
  ),
});
const FixedPack = Type.Object({
  id: Uuid,
  code: Type.String(),
  label: Type.String({
    description: 'What the pack label barcode holds: MSPK:<code> (copies: MSPK:<code>:<n>)',
  }),
  itemId: Uuid,
  itemCode: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  baseUnit: Type.String(),
  quantity: Type.Integer({ description: 'base units per pack' }),
  departmentId: Uuid,
  departmentName: Type.String(),
  siteId: Uuid,
  sourceLocationId: Uuid,
  active: Type.Boolean(),
  createdBy: Nullable(Uuid),
  createdAt: DateTime,
});

const STORE_ONLY =
  "Approving, rejecting, picking for and issuing a requisition is the store's work: a nurse gets 403 `forbidden` (the ward requests, the store gives).";

export async function requisitionRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['requisitions'];
  /** Hands a committed change's webhook deliveries (and any stock change) to the worker. */
  const after = async (request: Parameters<typeof authOf>[0], outcome: RequisitionOutcome) =>
    afterMovement(deps, authOf(request), {
      posted: outcome.posted.map((m) => ({ itemId: m.itemId, locationId: m.locationId })),
      deliveryIds: outcome.deliveryIds,
    });

  app.get(
    '/v1/requisitions',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'Ward requisitions (科室申领), newest first',
        description:
          '`status=open`: submitted, approved and partially issued. A site-limited caller sees requisitions whose store and department are both at their sites.',
        querystring: Type.Object(
          {
            ...PageQuery,
            status: Type.Optional(
              StringEnum([
                'open',
                'submitted',
                'approved',
                'partially_issued',
                'issued',
                'rejected',
                'cancelled',
              ]),
            ),
            departmentId: Type.Optional(Uuid),
            siteId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(RequisitionSummary), ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return listRequisitions(deps, authOf(request), filter, pageLimit(limit), cursor);
    },
  );

  app.post(
    '/v1/requisitions',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'A department asks the store for items (submit a requisition)',
        description: [
          'A ward (department) asks `sourceLocationId` (the store that fills it) for items and quantities; the requisition starts `submitted` and writes a `requisition.submitted` event.',
          'Then: approve (whole or adjusted) or reject with a reason → pick list (first expiry first out) → issue, in one or more parts → `issued` (closed). Cancel withdraws it.',
          'Refusals: 422 `unknown_department`, 422 `unknown_location`, 422 `unknown_item`, 422 `duplicate_item`.',
        ].join('\n\n'),
        body: Type.Object(
          {
            departmentId: Uuid,
            sourceLocationId: Uuid,
            note: Type.Optional(Type.String({ maxLength: 500 })),
            lines: Type.Array(
              Type.Object(
                {
                  itemId: Uuid,
                  quantity: Type.Number({ exclusiveMinimum: 0 }),
                  unit: Type.Optional(UnitCode),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 200 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 201: Requisition, ...problemResponses },
      },
    },
    async (request, reply) => {
      const outcome = await createRequisition(deps, authOf(request), request.body);
      await after(request, outcome);
      reply.header('location', `/v1/requisitions/${outcome.requisition.id}`);
      return reply.status(201).send(outcome.requisition);
    },
  );

  app.get(
    '/v1/requisitions/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'One requisition with its lines, who did what when, and its issues',
        params: IdParams,
        response: { 200: Requisition, ...problemResponses },
      },
    },
    async (request) => getRequisition(deps, authOf(request), request.params.id),
  );

  app.post(
    '/v1/requisitions/:id/approve',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'The store approves a requisition, whole or with adjusted quantities',
        description: [
          'Lines not named are approved as requested; a named line gets `quantity` (0: not given) and an optional `reason` for the change. Writes `requisition.approved`.',
          STORE_ONLY,
          'Refusals: 409 `requisition_status` (not submitted), 422 `nothing_approved` (every line 0: reject instead), 422 `unknown_requisition_line`.',
        ].join('\n\n'),
        params: IdParams,
        body: Type.Object(
          {
            lines: Type.Optional(
              Type.Array(
                Type.Object(
                  {
                    lineId: Uuid,
                    quantity: Quantity,
                    unit: Type.Optional(UnitCode),
                    reason: Type.Optional(Reason),
                  },
                  { additionalProperties: false },
                ),
                { maxItems: 200 },
              ),
            ),
            note: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Requisition, ...problemResponses },
      },
    },
    async (request) => {
      const outcome = await approveRequisition(deps, authOf(request), request.params.id, request.body);
      await after(request, outcome);
      return outcome.requisition;
    },
  );

  app.post(
    '/v1/requisitions/:id/reject',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'The store rejects a requisition, with a reason',
        description: `Closes it; writes \`requisition.rejected\`. ${STORE_ONLY} 409 \`requisition_status\` unless submitted.`,
        params: IdParams,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 200: Requisition, ...problemResponses },
      },
    },
    async (request) => {
      const outcome = await rejectRequisition(deps, authOf(request), request.params.id, request.body.reason);
      await after(request, outcome);
      return outcome.requisition;
    },
  );

  app.post(
    '/v1/requisitions/:id/cancel',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'Withdraw a requisition, or close what is left of a partially issued one, with a reason',
        description: 'What was issued stays issued. 409 `requisition_status` once closed.',
        params: IdParams,
        body: Type.Object({ reason: Reason }, { additionalProperties: false }),
        response: { 200: Requisition, ...problemResponses },
      },
    },
    async (request) => {
      const outcome = await cancelRequisition(deps, authOf(request), request.params.id, request.body.reason);
      return outcome.requisition;
    },
  );

  app.get(
    '/v1/requisitions/:id/pick-list',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'What to pick for the open lines: lots first expiry first out',
        description: [
          "For each line's remaining quantity: the store's lots in expiry order (earliest first), skipping expired lots and units on hold (quarantine), and what they cannot cover (`shortfall`). The same lots an issue without `lotNumber` takes; nothing is reserved.",
          '409 `requisition_status` unless approved or partially issued.',
        ].join('\n\n'),
        params: IdParams,
        response: { 200: PickList, ...problemResponses },
      },
    },
    async (request) => pickList(deps, authOf(request), request.params.id),
  );

  app.post(
    '/v1/requisitions/:id/issue',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'Issue approved items to the department (all lines in one transaction)',
        description: [
          "Each line posts an issue movement from the requisition's store, charged to the department and its cost centre (and `patientRef` when given); `lotNumber` names the lot picked, otherwise first expiry first out. Less than what is left may be issued: the requisition becomes `partially_issued` and the rest stays open; when nothing is left it is `issued` (closed).",
          'Writes `movement.created` per line and `requisition.issued`. Send an `Idempotency-Key`: a retry replays the first answer and issues nothing twice; quantities above what is left are refused.',
          STORE_ONLY,
          'Refusals: 409 `requisition_over_issue`, 409 `insufficient_stock`, 409 `lot_quarantined`, 409 `lot_expired`, 409 `requisition_status`, 422 `nothing_to_issue`.',
        ].join('\n\n'),
        params: IdParams,
        body: Type.Object(
          {
            lines: Type.Array(
              Type.Object(
                {
                  lineId: Uuid,
                  quantity: Quantity,
                  unit: Type.Optional(UnitCode),
                  lotNumber: Type.Optional(Type.String({ maxLength: 40 })),
                },
                { additionalProperties: false },
              ),
              { minItems: 1, maxItems: 500 },
            ),
            patientRef: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 64,
                pattern: '^[A-Za-z0-9._/-]+$',
                description: 'A patient reference (MRN, visit number) for high-value items; never a name.',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Requisition, ...problemResponses },
      },
    },
    async (request) => {
      const outcome = await issueRequisition(deps, authOf(request), request.params.id, request.body);
      await after(request, outcome);
      return outcome.requisition;
    },
  );

  app.get(
    '/v1/fixed-packs',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'Fixed-quantity packs (定数包) kept at departments',
        querystring: Type.Object({ departmentId: Type.Optional(Uuid) }, { additionalProperties: false }),
        response: { 200: Type.Object({ items: Type.Array(FixedPack) }), ...problemResponses },
      },
    },
    async (request) => listFixedPacks(deps, authOf(request), request.query),
  );

  app.post(
    '/v1/fixed-packs',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary:
          'Define a fixed-quantity pack: item, quantity, home department and the store that refills it',
        description: [
          'The pack label is a Code 128 or QR barcode holding `MSPK:<code>`; a department holding several copies of one pack labels them `MSPK:<code>:2`, `MSPK:<code>:3`, … so each opened copy asks once.',
          STORE_ONLY,
          '409 `fixed_pack_code_taken`.',
        ].join('\n\n'),
        body: Type.Object(
          {
            code: Type.String({
              pattern: '^[A-Za-z0-9._-]{1,32}$',
              description: 'Letters, digits, . _ -; at most 32',
            }),
            itemId: Uuid,
            quantity: Type.Number({ exclusiveMinimum: 0 }),
            unit: Type.Optional(UnitCode),
            departmentId: Uuid,
            sourceLocationId: Uuid,
          },
          { additionalProperties: false },
        ),
        response: { 201: FixedPack, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await createFixedPack(deps, authOf(request), request.body)),
  );

  app.get(
    '/v1/fixed-packs/:id/label',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: "A fixed pack's label: Code 128 barcode of MSPK:<code>[:<copy>]",
        description:
          'SVG (default) or PNG, rendered with bwip-js, the text printed under the bars. `copy` numbers the physical copies a department holds (default 1: `MSPK:<code>`). `format=json` answers the text without a symbol.',
        params: IdParams,
        querystring: Type.Object(
          {
            copy: Type.Optional(Type.Integer({ minimum: 1, maximum: 999 })),
            format: Type.Optional(StringEnum(['svg', 'png', 'json'], { default: 'svg' })),
            scale: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 3 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Union([
            Type.Object({ code: Type.String(), copy: Type.Integer(), text: Type.String() }),
            Type.String({ description: 'image/svg+xml or image/png' }),
          ]),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { copy = 1, format = 'svg', scale = 3 } = request.query;
      const pack = await getFixedPack(deps, authOf(request), request.params.id);
      const text = packLabel(pack.code, copy);
      if (format === 'json') return { code: pack.code, copy, text };
      const options = {
        bcid: 'code128',
        text,
        scale,
        height: 12,
        includetext: true,
        textxalign: 'center' as const,
      };
      const image = format === 'svg' ? bwipjs.toSVG(options) : await bwipjs.toBuffer(options);
      reply.header('cache-control', 'private, max-age=300');
      return reply.type(format === 'svg' ? 'image/svg+xml' : 'image/png').send(image);
    },
  );

  app.post(
    '/v1/fixed-packs/scan',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: "Scan an opened pack's label: the store is asked to replenish it",
        description: [
          "Creates a requisition (origin `fixed_pack`) for the pack's quantity from its store to its department (201, `requisition.submitted`). Scanning the same copy again while that requisition is open returns it (200) instead of asking twice.",
          'Refusals: 422 `invalid_pack_label` (not MSPK:<code>[:<copy>]), 422 `unknown_fixed_pack`.',
        ].join('\n\n'),
        body: Type.Object(
          { label: Type.String({ minLength: 1, maxLength: 80 }) },
          { additionalProperties: false },
        ),
        response: { 200: Requisition, 201: Requisition, ...problemResponses },
      },
    },
    async (request, reply) => {
      const outcome = await scanFixedPack(deps, authOf(request), request.body.label);
      await after(request, outcome);
      if (outcome.created) reply.header('location', `/v1/requisitions/${outcome.requisition.id}`);
      return reply.status(outcome.created ? 201 : 200).send(outcome.requisition);
    },
  );
}
