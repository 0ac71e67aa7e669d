import { type TypeBoxTypeProvider, TypeBoxValidatorCompiler } from '@fastify/type-provider-typebox';
import {
  IMPORT_FORMATS,
  IMPORT_KINDS,
  type ImportFormat,
  importColumnsMarkdown,
} from '@medstock/contracts/imports/import-columns.ts';
import { importTemplateCsv } from '@medstock/contracts/imports/import-templates.ts';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { PageQuery, pageLimit, pageOf } from '../../lib/pagination.ts';
import { ProblemError } from '../../lib/problem.ts';
import { negotiateLocale } from '../../lib/problem-language.ts';
import { DateTime, IdParams, NullableDateTime, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import {
  getImport,
  IMPORT_ENCODINGS,
  listImports,
  receiveUpload,
  startImport,
  UploadBody,
} from './imports.service.ts';

const Kind = StringEnum(IMPORT_KINDS);
const Format = StringEnum(IMPORT_FORMATS);
const Encoding = StringEnum(IMPORT_ENCODINGS, {
  description:
    'How a CSV file is decoded: `auto` (default) reads valid UTF-8 (with or without BOM) as UTF-8, a UTF-16 BOM as UTF-16, anything else as GB18030 (a superset of GBK, what Excel saves as "CSV" on Chinese Windows); or name it. JSON is always UTF-8.',
});
const Status = StringEnum(['queued', 'validating', 'applying', 'succeeded', 'failed']);

const ImportSummary = Type.Object({
  id: Uuid,
  kind: Kind,
  format: Format,
  status: Status,
  fileName: Type.Union([Type.String(), Type.Null()]),
  fileSize: Type.Integer({ description: 'Bytes uploaded' }),
  totalRows: Type.Integer({ description: 'Data rows in the file (known once validation has read it all)' }),
  processedRows: Type.Integer({
    description: 'Rows validated (while validating) or applied (while applying)',
  }),
  appliedRows: Type.Integer(),
  progress: Type.Number({
    minimum: 0,
    maximum: 100,
    description: 'Percent: validation is 0-50, applying 50-100',
  }),
  errorCount: Type.Integer({ description: 'All errors found; `errors` lists the first 1000' }),
  summary: Type.Record(Type.String(), Type.Number(), {
    description: 'What applying did, e.g. { created, updated } or { movements }',
  }),
  createdBy: Type.Union([Uuid, Type.Null()]),
  createdAt: DateTime,
  startedAt: NullableDateTime,
  finishedAt: NullableDateTime,
  encoding: Encoding,
  detectedEncoding: Type.Union([StringEnum(['utf-8', 'gb18030', 'utf-16le']), Type.Null()], {
    description: 'The encoding the file was read in (the chosen one, or what `auto` found); null until read',
  }),
});
const RowError = Type.Object({
  line: Type.Integer({ description: '1-based line of the file (0: the file as a whole)' }),
  field: Type.String({
    description: 'Column (or JSON key); `file`/`header`/`row` for problems of the whole file or row',
  }),
  label: Type.Optional(
    Type.String({ description: 'The column as the template in the reader’s language heads it (院区编码)' }),
  ),
  reason: Type.String({ description: 'What is wrong, in the language of Accept-Language (zh-CN or en)' }),
  code: Type.Optional(
    Type.String({ description: 'Stable code of the reason (unknown_item, not_a_date, …)' }),
  ),
});
const ImportJob = Type.Object({ ...ImportSummary.properties, errors: Type.Array(RowError) });

const CONTENT_TYPES: Record<string, ImportFormat | null> = {
  'text/csv': 'csv',
  'application/json': 'json',
  'application/x-ndjson': 'json',
  'application/octet-stream': null,
};

const UPLOAD_DESCRIPTION = [
  'Send the file itself as the request body (`Content-Type: text/csv`, `application/json` for an array of objects, `application/x-ndjson` for one object per line, or `application/octet-stream` with `format`). The body is streamed to disk, never held in memory; files up to IMPORT_MAX_BYTES (2 GiB by default).',
  'The answer is `202` with the import resource (also at `Location`). A job then validates every row — all errors are reported with line, field and reason — and applies the file all-or-nothing in one transaction: one bad row and nothing is written. Poll `GET /v1/imports/{id}` for `status` and `progress`; an `import.finished` webhook event is sent at the end.',
  'CSV: UTF-8 (a BOM is fine) or GB18030/GBK (detected, or named with `encoding`), a header line naming the columns (any order), comma, semicolon or tab separated. JSON records use the column names as keys. Empty cells mean "not given". Quantities are in `unit` and stored in base units.',
  'The same file (same content, SHA-256) is imported once per kind: uploading it again while its import is queued, running or succeeded answers `409 duplicate_import` with the earlier import (`duplicateOf`); a failed import may be sent again. Templates with the columns of each kind, in Chinese or English headers: `GET /v1/imports/templates/{kind}`.',
  'Scopes: `items` and `suppliers` need `admin`; `opening_balances`, `movements` and `stock_reports` need `stock:write`; `purchase_orders` needs `purchasing`.',
  "Plan limits: with billing on, an `items` file that would take the organisation beyond its plan's item limit (200 on Free) fails whole, with the first line too many (field `code`) and how to upgrade; rows that update existing items do not count.",
  '### Columns per kind',
  importColumnsMarkdown(),
  'Example (`kind=movements`):\n\n```csv\ndate,site_code,location_code,item_code,type,quantity,unit,lot_number,expiry_date\n2024-03-01,MAIN,CENTRAL,SYR-5ML,issue,40,piece,,\n2024-03-01,MAIN,CENTRAL,SYR-5ML,receipt,2,box,L2403,2027-02-28\n```',
].join('\n\n');

export async function importRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['imports'];

  // The upload route lives in its own scope: its content-type parsers replace JSON parsing there only.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // The body is streamed to the upload store (and hashed, for the Idempotency-Key) as it is parsed.
    scope.addContentTypeParser(
      Object.keys(CONTENT_TYPES),
      (request: FastifyRequest, payload: NodeJS.ReadableStream) =>
        receiveUpload(deps, request.auth, payload, request.headers),
    );
    // An upload that no import took (refused, replayed, failed) is not kept.
    scope.addHook('onSend', async (request, _reply, payload) => {
      const body = request.body as unknown;
      if (body instanceof UploadBody && !body.taken)
        await deps.uploads.delete(body.tenantId, body.importId).catch(() => undefined);
      return payload;
    });
    const upload = scope.withTypeProvider<TypeBoxTypeProvider>();
    upload.post(
      '/v1/imports',
      {
        config: { access: { scope: ['admin', 'stock:write', 'purchasing'] } },
        // The body is a stream: only the query string is validated here.
        validatorCompiler: (route) =>
          route.httpPart === 'body' ? () => true : TypeBoxValidatorCompiler(route),
        schema: {
          tags,
          summary:
            'Upload a CSV or JSON file to import (catalogue, suppliers, opening balances, movement history with counts, stock reports, purchase-order history)',
          description: UPLOAD_DESCRIPTION,
          querystring: Type.Object(
            {
              kind: Kind,
              format: Type.Optional(Format),
              fileName: Type.Optional(
                Type.String({ maxLength: 255, description: 'Shown in the import list' }),
              ),
              encoding: Type.Optional(Encoding),
            },
            { additionalProperties: false },
          ),
          body: {
            content: {
              'text/csv': { schema: Type.String({ description: 'CSV with a header line' }) },
              'application/json': { schema: Type.Array(Type.Object({}, { additionalProperties: true })) },
              'application/x-ndjson': { schema: Type.String({ description: 'One JSON object per line' }) },
              'application/octet-stream': { schema: Type.String({ format: 'binary' }) },
            },
          },
          response: {
            202: ImportJob,
            ...problemResponses,
            413: Type.Ref('Problem'),
            415: Type.Ref('Problem'),
            503: Type.Ref('Problem'),
          },
        },
      },
      async (request, reply) => {
        const body = request.body as unknown;
        if (!(body instanceof UploadBody)) {
          throw new ProblemError(
            415,
            'unsupported_media_type',
            'Unsupported media type',
            `Send the file as the body with Content-Type ${Object.keys(CONTENT_TYPES).join(', ')}.`,
            undefined,
            {
              params: { contentTypes: Object.keys(CONTENT_TYPES) },
              messageKey: 'unsupported_media_type.import',
            },
          );
        }
        const format = request.query.format ?? CONTENT_TYPES[body.contentType] ?? null;
        if (!format) {
          throw new ProblemError(
            400,
            'format_required',
            'Bad request',
            'Give `format=csv` or `format=json` for an application/octet-stream upload.',
            [{ field: 'querystring:/format', message: 'required for application/octet-stream' }],
          );
        }
        const job = await startImport(deps, authOf(request), {
          kind: request.query.kind,
          format,
          fileName: request.query.fileName,
          encoding: request.query.encoding,
          body,
        });
        return reply.status(202).header('location', `/v1/imports/${job.id}`).send(job);
      },
    );
  });

  app.get(
    '/v1/imports',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'List imports, newest first',
        querystring: Type.Object(
          { ...PageQuery, kind: Type.Optional(Kind), status: Type.Optional(Status) },
          { additionalProperties: false },
        ),
        response: { 200: pageOf(ImportSummary), ...problemResponses },
      },
    },
    async (request) => {
      const { limit, cursor, ...filter } = request.query;
      return listImports(deps, authOf(request), filter, pageLimit(limit), cursor);
    },
  );

  app.get(
    '/v1/imports/templates/:kind',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'Download the CSV template of an import kind, headed in Chinese or English',
        description:
          'Every column of the kind, with example rows, as UTF-8 CSV with a BOM (Excel opens it as it is). The Chinese template uses Chinese headers, units (支/盒), movement types (出库/入库) and dates (2026/08/01, 2026年8月1日) — all of which the importer accepts, as it accepts the English codes. `lang` chooses the language; without it, `Accept-Language` does (zh → Chinese, otherwise English).',
        params: Type.Object({ kind: Kind }),
        querystring: Type.Object(
          { lang: Type.Optional(StringEnum(['zh-CN', 'en'])) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.String({ description: 'text/csv; charset=utf-8' }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const lang = request.query.lang ?? negotiateLocale(request.headers['accept-language']);
      const name = `medstock-${request.params.kind}-template-${lang}.csv`;
      return reply
        .type('text/csv; charset=utf-8')
        .header('content-disposition', `attachment; filename="${name}"`)
        .send(importTemplateCsv(request.params.kind, lang));
    },
  );

  app.get(
    '/v1/imports/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags,
        summary: 'An import: status, progress and row errors (line, field, reason)',
        params: IdParams,
        response: { 200: ImportJob, ...problemResponses },
      },
    },
    async (request) =>
      getImport(
        deps,
        authOf(request),
        request.params.id,
        negotiateLocale(request.headers['accept-language']),
      ),
  );
}
