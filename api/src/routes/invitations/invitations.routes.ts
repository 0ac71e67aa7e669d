import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { PageQuery, pageLimit, pageOf } from '../../lib/pagination.ts';
import { DateTime, IdParams, Role, SiteIds, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { auditAccountEvent } from '../auth/account-audit.ts';
import { sessionTokenBody, TokenResponse } from '../auth/auth.routes.ts';
import {
  acceptInvitation,
  createInvitation,
  type InvitationRow,
  listInvitations,
  previewInvitation,
  resendInvitation,
  revokeInvitation,
  statusOf,
} from './invitations.service.ts';

const Invitation = Type.Object({
  id: Uuid,
  email: Type.String(),
  role: Role,
  siteIds: SiteIds,
  status: Type.Union([Type.Literal('pending'), Type.Literal('expired')], {
    description: 'An expired invitation can be resent (new link, new expiry) or revoked.',
  }),
  invitedBy: Type.Union([Uuid, Type.Null()], { description: 'The inviting member; null for an API key.' }),
  createdAt: DateTime,
  lastSentAt: DateTime,
  expiresAt: DateTime,
});

const view = (r: InvitationRow) => ({
  id: r.id,
  email: r.email,
  role: r.role,
  siteIds: r.site_ids,
  status: statusOf(r) === 'expired' ? ('expired' as const) : ('pending' as const),
  invitedBy: r.invited_by,
  createdAt: r.created_at.toISOString(),
  lastSentAt: r.last_sent_at.toISOString(),
  expiresAt: r.expires_at.toISOString(),
});

const Token = Type.String({
  minLength: 20,
  maxLength: 200,
  description: 'The token from the e-mailed link.',
});

export async function invitationRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  // The invitee's routes take a secret and, for an existing account, a password: limited like login.
  const tokenRateLimit = { max: deps.config.AUTH_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' };

  app.get(
    '/v1/invitations',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['invitations'],
        summary: 'Open invitations (pending or expired), newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
        response: { 200: pageOf(Invitation), ...problemResponses },
      },
    },
    async (request) => {
      const page = await listInvitations(
        deps,
        authOf(request),
        pageLimit(request.query.limit),
        request.query.cursor,
      );
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/invitations',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['invitations'],
        summary: 'Invite a person by e-mail to become a member',
        description: `The invitee gets a single-use link valid for 7 days; they set a password (new account) or sign in (existing account) to accept. The answer is the same whether or not the address has an account anywhere. Nobody grants a role's scopes or sites they do not hold (403 grant_exceeds_own_scopes, grant_exceeds_own_sites); a site-limited caller who sends no siteIds grants their own sites. 409 already_member, already_invited.`,
        body: Type.Object(
          {
            email: Type.String({ format: 'email', maxLength: 254 }),
            role: Role,
            siteIds: Type.Optional(SiteIds),
          },
          { additionalProperties: false },
        ),
        response: { 201: Invitation, ...problemResponses },
      },
    },
    async (request, reply) =>
      reply.status(201).send(view(await createInvitation(deps, authOf(request), request.body))),
  );

  app.post(
    '/v1/invitations/:id/resend',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['invitations'],
        summary: 'Send an open invitation again with a new link and a new expiry; the old link stops working',
        params: IdParams,
        response: { 200: Invitation, ...problemResponses },
      },
    },
    async (request) => view(await resendInvitation(deps, authOf(request), request.params.id)),
  );

  app.delete(
    '/v1/invitations/:id',
    {
      config: { access: { scope: 'admin' } },
      schema: {
        tags: ['invitations'],
        summary: 'Revoke an open invitation; its link stops working at once',
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await revokeInvitation(deps, authOf(request), request.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/invitations/preview',
    {
      config: { access: 'public', rateLimit: tokenRateLimit },
      schema: {
        tags: ['invitations'],
        summary: 'What an invitation link offers, for the accept page (public, with the token)',
        description:
          '`accountExists` tells the holder of the token (sent to that address) whether to choose a password or sign in. 404 invitation_not_found; 410 invitation_used, invitation_expired, invitation_revoked.',
        body: Type.Object({ token: Token }, { additionalProperties: false }),
        response: {
          200: Type.Object({
            organizationName: Type.String(),
            email: Type.String(),
            role: Role,
            invitedBy: Type.Union([Type.String(), Type.Null()], { description: "The inviter's name" }),
            expiresAt: DateTime,
            accountExists: Type.Boolean(),
          }),
          ...problemResponses,
        },
      },
    },
    async (request) => {
      const { invitation: i, accountExists } = await previewInvitation(deps, request.body.token);
      return {
        organizationName: i.organization_name,
        email: i.email,
        role: i.role,
        invitedBy: i.inviter_name,
        expiresAt: i.expires_at.toISOString(),
        accountExists,
      };
    },
  );

  app.post(
    '/v1/invitations/accept',
    {
      config: { access: 'public', rateLimit: tokenRateLimit },
      schema: {
        tags: ['invitations'],
        summary: 'Accept an invitation and sign in to the organisation (public, with the token)',
        description:
          'No account for the address: `password` (and optionally `name`) creates it; the password policy applies (422 password_too_weak). An account exists: `password` is its own password, or send a valid access token of that account as Bearer. The link works once. 401 sign_in_required, invalid_credentials (throttled like login, 429); 403 invitation_for_another_account; 404 invitation_not_found; 410 invitation_used, invitation_expired, invitation_revoked; 422 password_required.',
        body: Type.Object(
          {
            token: Token,
            password: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            name: Type.Optional(Type.String({ maxLength: 200 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: TokenResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const r = await acceptInvitation(deps, request.body, request.auth, {
        ip: request.ip,
        userAgent: request.headers['user-agent'],
        audit: (userId, action, statusCode) => auditAccountEvent(deps, request, userId, action, statusCode),
      });
      request.auditOrganizationId = r.organizationId;
      request.auditActorId = r.userId;
      return sessionTokenBody(deps, reply, r);
    },
  );
}
