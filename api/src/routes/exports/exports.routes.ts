import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { negotiateLocale } from '../../lib/problem-language.ts';
import { IsoDate, Locale, StringEnum, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { CONTENT_TYPES, contentDisposition, writeCsv, writeXlsx } from './export-sheet.ts';
import { EXPORT_KINDS, EXPORT_MAX_ROWS, type ExportQuery, exportTable } from './exports.service.ts';

const FILE_NAMES: Record<(typeof EXPORT_KINDS)[number], string> = {
  stock: 'stock-on-hand',
  expiry: 'expiring-lots',
  ledger: 'stock-ledger',
  consumption: 'consumption-by-department',
};

const SUMMARIES: Record<(typeof EXPORT_KINDS)[number], { summary: string; description: string }> = {
  stock: {
    summary: 'Download stock on hand by lot and location (Excel or CSV)',
    description: 'Every lot at every location with stock, its expiry, quantity, unit cost and value.',
  },
  expiry: {
    summary: 'Download lots expiring within N days, and those expired (Excel or CSV)',
    description:
      'Lots with stock whose expiry is within `withinDays` (default 90) local days, or past, with days left.',
  },
  ledger: {
    summary: 'Download the stock ledger of a date range (Excel or CSV)',
    description:
      'Every movement from `from` to `to` (local days, both inclusive), with its type in words, lot, signed quantity, department, reason, reference and who recorded it. 422 export_range_invalid when `from` is after `to`.',
  },
  consumption: {
    summary: 'Download consumption by department for a date range (Excel or CSV)',
    description:
      'Issues from `from` to `to` summed per department (科室) and item, with the cost centre and value; issues charged to no department are summed per issuing location, marked （未指定科室）/ (no department). 422 export_range_invalid when `from` is after `to`.',
  },
};

const COMMON = `Headers, movement types and units are in the caller's language (\`lang\`, else Accept-Language: zh → 简体中文, otherwise English). CSV is UTF-8 with a BOM (opens in Excel on Chinese Windows); cells that would start a formula are prefixed with '. Callers limited to some sites get only their sites' rows; \`siteId\` of another site is 404. At most ${EXPORT_MAX_ROWS} rows (422 export_too_large: narrow by site, location or dates).`;

export async function exportRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // One route per export, so each documents only the parameters it takes.
  for (const kind of EXPORT_KINDS) {
    const ranged = kind === 'ledger' || kind === 'consumption';
    app.get(
      `/v1/exports/${kind}`,
      {
        config: { access: { scope: 'read' } },
        schema: {
          tags: ['stock'],
          summary: SUMMARIES[kind].summary,
          description: `${SUMMARIES[kind].description}\n\n${COMMON}`,
          querystring: Type.Object(
            {
              format: Type.Optional(StringEnum(['xlsx', 'csv'], { default: 'xlsx' })),
              lang: Type.Optional(Locale),
              siteId: Type.Optional(Uuid),
              locationId: Type.Optional(Uuid),
              itemId: Type.Optional(Uuid),
              ...(kind === 'expiry'
                ? { withinDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 3650 })) }
                : {}),
              ...(ranged ? { from: IsoDate, to: IsoDate } : {}),
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
        const {
          format = 'xlsx',
          lang,
          ...q
        } = request.query as {
          format?: 'xlsx' | 'csv';
          lang?: 'zh-CN' | 'en';
        } & ExportQuery;
        const locale = lang ?? negotiateLocale(request.headers['accept-language']);
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
}
