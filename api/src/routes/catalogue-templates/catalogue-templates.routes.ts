import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { Category, Storage, Ved } from '../items/item.schemas.ts';
import { applyTemplate, listTemplates, previewTemplate } from './catalogue-templates.service.ts';

const Localised = Type.Object({ zh: Type.String(), en: Type.String() });
const TemplateSummary = Type.Object({
  code: Type.String(),
  name: Localised,
  description: Localised,
  itemCount: Type.Integer(),
  categories: Type.Array(
    Type.Object({ code: Type.String(), zh: Type.String(), en: Type.String(), itemCount: Type.Integer() }),
  ),
});
const TemplateUnit = Type.Object({ code: Type.String(), zh: Type.String(), en: Type.String() });
const TemplateItem = Type.Object({
  code: Type.String(),
  name: Localised,
  specification: Type.String(),
  category: Type.String(),
  baseUnit: TemplateUnit,
  packUnits: Type.Array(
    Type.Object({ code: Type.String(), zh: Type.String(), en: Type.String(), factor: Type.Integer() }),
  ),
  ved: Ved,
  storage: Storage,
  unitCost: Type.Number({ description: 'Typical CNY price per base unit' }),
  gtin: Type.Optional(Type.String()),
  substituteGroup: Type.Optional(Type.String()),
  highValue: Type.Optional(Type.Boolean()),
  implant: Type.Optional(Type.Boolean()),
});
// Not restricted to the kebab-case pattern: an unknown code of any shape is simply 404.
const CodeParams = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 100 }) },
  { additionalProperties: false },
);

const ApplyResult = Type.Object({
  templateCode: Type.String(),
  templateItems: Type.Integer(),
  created: Type.Integer(),
  skipped: Type.Integer({ description: 'Already present by code, or GTIN already used by another item' }),
  skippedGtinInUse: Type.Array(Type.String(), {
    description: 'Template item codes skipped because their GTIN is taken',
  }),
});

export async function catalogueTemplateRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.get(
    '/v1/catalogue-templates',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalogue'],
        summary: 'The starter catalogues a new organisation can pick at sign-up (public)',
        response: { 200: Type.Object({ items: Type.Array(TemplateSummary) }), ...problemResponses },
      },
    },
    async () => ({ items: listTemplates() }),
  );

  app.get(
    '/v1/catalogue-templates/:code',
    {
      config: { access: 'public' },
      schema: {
        tags: ['catalogue'],
        summary: 'Preview a starter catalogue: its summary and first items (public)',
        params: CodeParams,
        querystring: Type.Object(
          {
            limit: Type.Optional(
              Type.Integer({ minimum: 1, maximum: 500, description: 'Items to show (default 20)' }),
            ),
            category: Type.Optional(Category),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ ...TemplateSummary.properties, items: Type.Array(TemplateItem) }),
          ...problemResponses,
        },
      },
    },
    async (request) =>
      previewTemplate(request.params.code, request.query.limit ?? 20, request.query.category),
  );

  app.post(
    '/v1/catalogue-templates/:code/apply',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['catalogue'],
        summary: "Add a starter catalogue's missing items to the organisation",
        description:
          "Matches by item code. Items already present are left exactly as they are (the organisation's edits win, deactivated items stay deactivated); items whose GTIN another item already has are skipped as the same product. Applying again creates nothing. Needs the admin scope.",
        params: CodeParams,
        response: { 200: ApplyResult, ...problemResponses },
      },
    },
    async (request) => applyTemplate(deps, authOf(request), request.params.code),
  );
}
