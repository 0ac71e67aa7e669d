import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { negotiateLocale } from '../../lib/problem-language.ts';
import { IsoDate, Locale, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { CONTENT_TYPES, contentDisposition, writeCsv, writeXlsx } from './export-sheet.ts';
import { EXPORT_KINDS, EXPORT_MAX_ROWS, exportTable } from './exports.service.ts';

const FILE_NAMES: Record<(typeof EXPORT_KINDS)[number], string> = {
  stock: 'stock-on-hand',
  expiry: 'expiring-lots',
  ledger: 'stock-ledger',
  consumption: 'consumption-by-department',
};

export async function exportRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/exports/:kind',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['stock'],
        summary: 'Download stock, expiry, ledger or consumption as Excel (xlsx) or CSV',
        description: [
          '`stock`: on hand by lot and location, with value. `expiry`: lots expiring within `withinDays` (default 90) and already expired, with days left.',
          '`ledger`: every movement from `from` to `to` (local days, both inclusive). `consumption`: issues from `from` to `to`, summed per department (科室) and item; issues charged to no department are summed per issuing location, marked （未指定科室）/ (no department).',
          `Headers, movement types and units are in the caller's language (\`lang\`, else Accept-Language: zh → 简体中文, otherwise English). CSV is UTF-8 with a BOM (opens in Excel on Chinese Windows); cells that would start a formula are prefixed with '. Callers limited to some sites get only their sites' rows; \`siteId\` of another site is 404. At most ${EXPORT_MAX_ROWS} rows (422 export_too_large: narrow by site, location or dates).`,
        ].join('\n\n'),
        security: [{ bearer: [] }],
        params: Type.Object({ kind: StringEnum([...EXPORT_KINDS]) }, { additionalProperties: false }),
        querystring: Type.Object(
          {
            format: Type.Optional(StringEnum(['xlsx', 'csv'], { default: 'xlsx' })),
            lang: Type.Optional(Locale),
            siteId: Type.Optional(Uuid),
            locationId: Type.Optional(Uuid),
            itemId: Type.Optional(Uuid),
            withinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })),
            from: Type.Optional(IsoDate),
            to: Type.Optional(IsoDate),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.String({
            description: 'The file (xlsx or CSV), as an attachment',
            contentMediaType: 'application/octet-stream',
          }),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { format = 'xlsx', lang, ...q } = request.query;
      const locale = lang ?? negotiateLocale(request.headers['accept-language']);
      const kind = request.params.kind;
      const table = await exportTable(deps, authOf(request), kind, q);
      const body = format === 'csv' ? writeCsv(table, locale) : await writeXlsx(table, locale);
      const name = locale === 'zh-CN' ? table.name.zh : table.name.en;
      const suffix = q.from && q.to ? `_${q.from}_${q.to}` : '';
      reply
        .header(
          'content-disposition',
          contentDisposition(`${name}${suffix}`, `${FILE_NAMES[kind]}${suffix}`, format),
        )
        .header('content-language', locale)
        .header('cache-control', 'no-store')
        .type(CONTENT_TYPES[format]);
      return reply.send(body);
    },
  );
}
