import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { canonicalTimeZone } from '@medstock/core';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { notFound, unprocessable } from '../../lib/problem.ts';
import { DateTime, Locale, Role, Scope, SiteIds, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';

const Organization = Type.Object({
  id: Uuid,
  name: Type.String(),
  status: Type.String(),
  plan: Type.String(),
  deploymentMode: Type.String(),
  catalogueTemplate: Type.Union([Type.String(), Type.Null()]),
  locale: Type.String(),
  timezone: Type.String(),
  createdAt: DateTime,
});

interface OrgRow {
  id: string;
  name: string;
  status: string;
  plan: string;
  deployment_mode: string;
  catalogue_template: string | null;
  locale: string;
  timezone: string;
  created_at: Date;
}
const view = (o: OrgRow) => ({
  id: o.id,
  name: o.name,
  status: o.status,
  plan: o.plan,
  deploymentMode: o.deployment_mode,
  catalogueTemplate: o.catalogue_template,
  locale: o.locale,
  timezone: o.timezone,
  createdAt: o.created_at.toISOString(),
});
const ORG_COLUMNS =
  'id, name, status, plan, deployment_mode, catalogue_template, locale, timezone, created_at';

export async function organizationRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const loadOrg = async (id: string) => {
    const { rows } = await deps.database.pool.query<OrgRow>(
      `select ${ORG_COLUMNS} from control.organizations where id = $1`,
      [id],
    );
    if (!rows[0]) throw notFound('The organisation');
    return rows[0];
  };

  app.get(
    '/v1/me',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['organization'],
        summary: 'Who the caller is: user or API key, organisation, role, scopes and site limits',
        response: {
          200: Type.Object({
            kind: Type.Union([Type.Literal('user'), Type.Literal('api_key')]),
            userId: Type.Union([Uuid, Type.Null()]),
            email: Type.Union([Type.String(), Type.Null()]),
            name: Type.Union([Type.String(), Type.Null()]),
            apiKeyId: Type.Union([Uuid, Type.Null()]),
            role: Type.Union([Role, Type.Null()]),
            scopes: Type.Array(Scope),
            siteIds: SiteIds,
            organization: Organization,
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const user = auth.userId
        ? (
            await deps.database.pool.query<{ email: string; name: string }>(
              'select email, name from control.users where id = $1',
              [auth.userId],
            )
          ).rows[0]
        : undefined;
      return {
        kind: auth.kind,
        userId: auth.userId,
        email: user?.email ?? null,
        name: user?.name ?? null,
        apiKeyId: auth.apiKeyId,
        role: auth.role,
        scopes: [...auth.scopes],
        siteIds: auth.siteIds ? [...auth.siteIds] : null,
        organization: view(await loadOrg(auth.organizationId)),
      };
    },
  );

  app.get(
    '/v1/organization',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['organization'],
        summary: "The caller's organisation",
        response: { 200: Organization, ...problemResponses },
      },
    },
    async (request) => view(await loadOrg(authOf(request).organizationId)),
  );

  app.patch(
    '/v1/organization',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['organization'],
        summary: 'Rename the organisation or change its default language and time zone',
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            locale: Type.Optional(Locale),
            timezone: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 64,
                description:
                  'IANA time zone name (e.g. Asia/Shanghai). Every day boundary — demand buckets, expiry, KPIs, imported times without an offset — is a local day in this zone.',
              }),
            ),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
        response: { 200: Organization, ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      const b = request.body;
      const timezone = b.timezone === undefined ? null : canonicalTimeZone(b.timezone);
      if (b.timezone !== undefined && timezone === null)
        throw unprocessable(
          'invalid_time_zone',
          `'${b.timezone}' is not an IANA time zone name such as Asia/Shanghai.`,
          [{ field: 'body:/timezone', message: 'not an IANA time zone name' }],
          { timezone: b.timezone },
        );
      const { rows } = await deps.database.pool.query<OrgRow>(
        `update control.organizations set name = coalesce($2, name), locale = coalesce($3, locale), timezone = coalesce($4, timezone)
          where id = $1 returning ${ORG_COLUMNS}`,
        [auth.organizationId, b.name ?? null, b.locale ?? null, timezone],
      );
      return view(rows[0]!);
    },
  );
}
