import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { IdParams, IsoDate, StringEnum } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { labelContent, renderDataMatrix } from './labels.service.ts';

export async function labelRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/items/:id/label',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['catalogue'],
        summary: 'GS1 DataMatrix label of a repackaged item: GTIN (01), expiry (17), lot (10), count (30)',
        description:
          "The symbol as SVG (default) or PNG, rendered with bwip-js. The item's GTIN is required (422 label_item_without_gtin). The printed text (HRI), `(01)…(17)…(10)…(30)…`, is in the `GS1-HRI` header; `format=json` answers it without a symbol. A lot outside GS1's character set or longer than 20 characters is 422 label_not_encodable with the field.",
        params: IdParams,
        querystring: Type.Object(
          {
            lotNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
            expiryDate: Type.Optional(IsoDate),
            quantity: Type.Optional(Type.Integer({ minimum: 1, maximum: 99_999_999 })),
            format: Type.Optional(StringEnum(['svg', 'png', 'json'], { default: 'svg' })),
            scale: Type.Optional(Type.Integer({ minimum: 1, maximum: 10, default: 3 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Union([
            Type.Object({
              itemCode: Type.String(),
              hri: Type.String({ description: '(01)…(17)…(10)…(30)…' }),
              elementString: Type.String({
                description: 'As a scanner sends it, GS (0x1D) between variable fields',
              }),
            }),
            Type.String({ description: 'image/svg+xml or image/png' }),
          ]),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const { format = 'svg', scale = 3, ...req } = request.query;
      const label = await labelContent(deps, authOf(request), request.params.id, req);
      if (format === 'json')
        return { itemCode: label.itemCode, hri: label.parenthesised, elementString: label.elementString };
      const image = await renderDataMatrix(label.parenthesised, format, scale);
      reply.header('gs1-hri', label.parenthesised).header('cache-control', 'private, max-age=300');
      return reply.type(format === 'svg' ? 'image/svg+xml' : 'image/png').send(image);
    },
  );
}
