import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ABC_CLASSES } from '@medstock/core/policy/index.ts';
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
  type CountInput,
  type CreateStocktakeInput,
  createStocktake,
  enterCounts,
  getStocktake,
  listStocktakes,
  postStocktake,
  type StocktakeStatus,
  transitionStocktake,
} from './stocktake.service.ts';
import { stocktakeDocument } from './stocktake-pdf.ts';

const Nullable = <T extends import('typebox').TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Status = StringEnum(['counting', 'submitted', 'approved', 'posted', 'cancelled']);
const Abc = StringEnum(ABC_CLASSES);

const Line = Type.Object({
  id: Uuid,
  locationId: Uuid,
  itemId: Uuid,
  itemCode: Type.String(),
  nameZh: Type.String(),
  nameEn: Type.String(),
  specification: Type.String(),
  baseUnit: Type.String(),
  unitCost: Type.Number(),
  abcClass: Nullable(Abc),
  lotNumber: Nullable(Type.String({ description: "'' is untracked stock; null on a whole-item line" })),
  expiryDate: Nullable(IsoDate),
  wholeItem: Type.Boolean({
    description: 'The item counted as a whole at the location (every lot together)',
  }),
  added: Type.Boolean({ description: 'Found during the count, not on the sheet when it was made' }),
  expected: Nullable(
    Type.Integer({
      description: 'Book quantity when the sheet was made; null while a blind count is counting',
    }),
  ),
  book: Nullable(
    Type.Integer({
      description:
        'Book quantity when counted (now when not counted; for posted lines the book the posting met); null while blind',
    }),
  ),
  counted: Nullable(Type.Integer({ description: 'Counted, base units; null: not counted (not posted)' })),
  countedBy: Nullable(Uuid),
  countedByName: Nullable(Type.String()),
  countedAt: NullableDateTime,
  variance: Nullable(Type.Integer({ description: 'counted − book' })),
  varianceValue: Nullable(Type.Number({ description: 'variance × unit cost' })),
  attribution: Nullable(
    Type.Array(
      Type.Object({ lotNumber: Type.String(), expiryDate: Nullable(IsoDate), quantity: Type.Integer() }),
      {
        description:
          'A whole-item count: how its variance will land on the lots (a shortfall first-expiry-first, a surplus on the lot expiring last)',
      },
    ),
  ),
  postedGroupId: Nullable(Uuid),
});

const Summary = Type.Object({
  lines: Type.Integer(),
  counted: Type.Integer(),
  varianceLines: Nullable(Type.Integer()),
  varianceQuantity: Nullable(Type.Integer()),
  varianceValue: Nullable(Type.Number()),
});

const sessionFields = {
  id: Uuid,
  number: Type.String({ description: 'ST-<year>-<n>' }),
  siteId: Uuid,
  locationId: Nullable(Uuid),
  abcClasses: Nullable(Type.Array(Abc)),
  blind: Type.Boolean(),
  status: Status,
  note: Nullable(Type.String()),
  createdBy: Nullable(Uuid),
  createdByName: Nullable(Type.String({ description: 'The person or API key, by name' })),
  createdAt: DateTime,
  submittedBy: Nullable(Uuid),
  submittedByName: Nullable(Type.String({ description: 'The person or API key, by name' })),
  submittedAt: NullableDateTime,
  approvedBy: Nullable(Uuid),
  approvedByName: Nullable(Type.String({ description: 'The person or API key, by name' })),
  approvedAt: NullableDateTime,
  postedBy: Nullable(Uuid),
  postedByName: Nullable(Type.String({ description: 'The person or API key, by name' })),
  postedAt: NullableDateTime,
  cancelledBy: Nullable(Uuid),
  cancelledByName: Nullable(Type.String({ description: 'The person or API key, by name' })),
  cancelledAt: NullableDateTime,
  cancelReason: Nullable(Type.String()),
  summary: Summary,
};
const SessionSummary = Type.Object(sessionFields);
const Session = Type.Object({ ...sessionFields, lines: Type.Array(Line) });

const CountEntry = Type.Object(
  {
    lineId: Type.Optional(Uuid),
    locationId: Type.Optional(Uuid),
    itemId: Type.Optional(Uuid),
    gtin: Type.Optional(Type.String({ maxLength: 14 })),
    scan: Type.Optional(
      Type.String({ maxLength: 200, description: 'A GS1 element string (GTIN, lot, expiry, count)' }),
    ),
    lotNumber: Type.Optional(Type.String({ maxLength: 40 })),
    expiryDate: Type.Optional(IsoDate),
    quantity: Type.Optional(
      Nullable(Type.Number({ description: 'Counted, in `unit`; null clears the count' })),
    ),
    unit: Type.Optional(Type.String({ minLength: 1, maxLength: 30 })),
  },
  { additionalProperties: false },
);

const tags = ['stocktakes'];

const FLOW =
  'Flow: counting → submit → submitted → approve (a second person) → approved → post → posted; reopen sends a submitted or approved session back to counting; cancel (with a reason) ends it before posting.';

const TRANSITION_DOCS = {
  submit: {
    summary: 'Submit the counts for variance review',
    description:
      'counting → submitted (at least one line counted, else 422 `stocktake_nothing_counted`). From here the book and the variance are shown even for a blind count. Other statuses: 409 `stocktake_invalid_transition`.',
  },
  reopen: {
    summary: 'Send a submitted or approved session back to counting',
    description: 'submitted or approved → counting, clearing the submission and the approval (recount).',
  },
  approve: {
    summary: 'Approve the variance (second person)',
    description:
      'submitted → approved. Needs the storekeeper role or the admin scope (403 `stocktake_approval_not_allowed`: a nurse or a stock:write key counts but does not approve). Four eyes: whoever created, counted or submitted the session cannot approve it (403 `stocktake_self_approval`). Emits `stocktake.approved`.',
  },
  cancel: {
    summary: 'Cancel a session with a reason',
    description:
      'counting, submitted or approved → cancelled; the reason is recorded with who and when. Nothing is posted. Posted or cancelled: 409 `stocktake_invalid_transition`.',
  },
} as const;

export async function stocktakeRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/v1/stocktakes',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'Create a stocktake session (盘点单) and its count sheet',
        description: [
          'A session counts one location, or every location of a site (give `siteId` without `locationId`). The count sheet lists every location × item × lot with stock there now (`expected`).',
          'A cycle count gives `abcClasses`: only items of those classes are listed. Classes are computed from the ledger: consumption value (issues × unit cost) at the site over the last 365 days, A = the items making the first 80% of the value, B the next 15%, C the rest (items never issued are C).',
          '`blind`: the book quantities are hidden from everyone until the counts are submitted.',
          FLOW,
          'Refusals: 422 `stocktake_scope_required`, `stocktake_unknown_location`, `stocktake_location_not_in_site`; 404 for a site or location outside the caller’s sites.',
        ].join('\n\n'),
        body: Type.Object(
          {
            siteId: Type.Optional(Uuid),
            locationId: Type.Optional(Uuid),
            abcClasses: Type.Optional(Type.Array(Abc, { minItems: 1, maxItems: 3, uniqueItems: true })),
            blind: Type.Optional(Type.Boolean()),
            note: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Session, ...problemResponses },
      },
    },
    async (request, reply) => {
      const view = await createStocktake(deps, authOf(request), request.body as CreateStocktakeInput);
      reply.header('location', `/v1/stocktakes/${view.id}`);
      return reply.status(201).send(view);
    },
  );

  app.get(
    '/v1/stocktakes',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'Stocktake sessions, newest first',
        description: 'Only sessions at the caller’s sites. Each with its summary (lines, counted, variance).',
        querystring: Type.Object(
          { ...PageQuery, status: Type.Optional(Status), siteId: Type.Optional(Uuid) },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(SessionSummary), ...problemResponses },
      },
    },
    async (request) => {
      const { limit: l, cursor, ...filter } = request.query;
      const limit = pageLimit(l);
      const after = decodeCursor(cursor, ['timestamp', 'uuid']);
      const rows = await listStocktakes(
        deps,
        authOf(request),
        filter as { status?: StocktakeStatus; siteId?: string },
        limit,
        after,
      );
      const page = paginate(rows, limit, (r) => [r.cursorKey, r.id]);
      return { items: page.items.map(({ cursorKey: _, lines: __, ...s }) => s), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/v1/stocktakes/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'A stocktake session with its count sheet and variance review',
        description:
          'Lines in location, item, lot order (a whole-item line first). While a blind session is counting, `expected`, `book`, `variance` and `varianceValue` are null.',
        params: IdParams,
        response: { 200: Session, ...problemResponses },
      },
    },
    async (request) => getStocktake(deps, authOf(request), request.params.id),
  );

  app.get(
    '/v1/stocktakes/:id/pdf',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'The count sheet as a PDF (A4 landscape), to count on paper',
        description:
          'In `locale`, else the language of Accept-Language (zh-CN or en). `locationId` prints one location’s sheet of a site-wide session (422 `stocktake_location_outside` for another). One row per location × item × lot with the book (left empty on a blind count while counting), the count (an empty box until counted) and the variance; signature lines for the counter and the checker. Chinese is drawn with the server’s CJK font (see the purchase-order PDF; `X-Pdf-Font: fallback` without one).',
        params: IdParams,
        querystring: Type.Object(
          {
            locale: Type.Optional(Locale),
            locationId: Type.Optional(
              Type.String({
                format: 'uuid',
                description: 'One location of a site-wide session: its own sheet',
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: {
          200: PdfResponse,
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const locale = request.query.locale ?? negotiateLocale(request.headers['accept-language']);
      const doc = await stocktakeDocument(
        deps,
        authOf(request),
        request.params.id,
        locale,
        request.query.locationId,
      );
      return sendPdf(reply, doc, locale);
    },
  );

  app.post(
    '/v1/stocktakes/:id/counts',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'Enter counts (by lot, or per item as a whole), typed or scanned',
        description: [
          'Each count names its sheet line (`lineId`), or the location (default the session’s), the item (`itemId`, `gtin` or a GS1 `scan` with lot, expiry and count) and the lot. A lot not on the sheet is added (`added`). Without a lot the item is counted as a whole at the location: its variance is spread over the lots when posted (see `attribution`).',
          'An item-location is counted either lot by lot or as a whole: 409 `stocktake_count_mode_conflict` (clear the other counts with `quantity: null` first). Quantities in `unit` (default the base unit). Counting again replaces the count and records who and when.',
          'Only while counting: 409 `stocktake_not_counting`. Other refusals: 422 `stocktake_unknown_line`, `stocktake_location_required`, `stocktake_location_outside`, `stocktake_negative_count`, `stocktake_quantity_required`, `item_required`, `unknown_item`, `lot_expiry_mismatch`.',
        ].join('\n\n'),
        params: IdParams,
        body: Type.Object(
          { counts: Type.Array(CountEntry, { minItems: 1, maxItems: 500 }) },
          { additionalProperties: false },
        ),
        response: { 200: Session, ...problemResponses },
      },
    },
    async (request) =>
      enterCounts(deps, authOf(request), request.params.id, request.body.counts as CountInput[]),
  );

  for (const action of ['submit', 'reopen', 'approve', 'cancel'] as const) {
    app.post(
      `/v1/stocktakes/:id/${action}`,
      {
        config: { access: { scope: 'stock:write' } },
        schema: {
          tags,
          ...TRANSITION_DOCS[action],
          params: IdParams,
          body: Type.Object(
            action === 'cancel'
              ? { reason: Type.String({ minLength: 1, maxLength: 500, description: 'Why it is cancelled' }) }
              : {},
            { additionalProperties: false },
          ),
          response: { 200: Session, ...problemResponses },
        },
      },
      async (request) => {
        const auth = authOf(request);
        const reason = (request.body as { reason?: string } | undefined)?.reason?.trim();
        const { view, deliveryIds } = await transitionStocktake(
          deps,
          auth,
          request.params.id,
          action,
          reason,
        );
        await afterMovement(deps, auth, { posted: [], deliveryIds });
        return view;
      },
    );
  }

  app.post(
    '/v1/stocktakes/:id/post',
    {
      config: { access: { scope: 'stock:write' } },
      schema: {
        tags,
        summary: 'Post an approved session to the ledger',
        description:
          'approved → posted, in one transaction: one `stocktake` movement per counted lot line, or a whole item-location count per item counted as a whole (reference = the session number, source `stocktake`), each dated when it was counted so that movements since then stay on top of it. Uncounted lines post nothing. A count that movements since cannot stand on (issued after counting more than was counted) refuses the whole posting with 409 `insufficient_stock` and writes nothing: send it back for a recount. The session is then locked. Posting again: 409 `stocktake_invalid_transition` (a retried request with the same Idempotency-Key gets the first response). Emits `movement.created` per count and `stocktake.posted`.',
        params: IdParams,
        body: Type.Optional(Type.Object({}, { additionalProperties: false })),
        response: { 200: Session, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const { view, posted, deliveryIds } = await postStocktake(deps, auth, request.params.id);
      await afterMovement(deps, auth, {
        posted: posted.map((m) => ({ itemId: m.itemId, locationId: m.locationId })),
        deliveryIds,
      });
      return view;
    },
  );
}
