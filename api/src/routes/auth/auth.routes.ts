import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { refreshCookieSecure } from '@medstock/config';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppDeps } from '../../deps.ts';
import { notFound, ProblemError, unauthorized } from '../../lib/problem.ts';
import { DateTime, IdParams, Locale, Uuid } from '../../lib/schemas.ts';
import { authOf } from '../../plugins/auth.plugin.ts';
import { problemResponses } from '../../plugins/errors.plugin.ts';
import { auditAccountEvent } from './account-audit.ts';
import { listSessions, login, refresh, revokeSession, type SessionTokens } from './auth.service.ts';
import type { ClientContext } from './login-throttle.ts';
import { confirmPasswordReset, requestPasswordReset } from './password-reset.service.ts';
import { confirmSignup, requestSignup } from './signup.service.ts';

export const REFRESH_COOKIE = 'medstock_refresh';

export const TokenResponse = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'seconds' }),
  refreshToken: Type.String({ description: 'Also set as an httpOnly cookie for browsers.' }),
  organizationId: Uuid,
  userId: Uuid,
});

const Password = Type.String({
  minLength: 10,
  maxLength: 200,
  description: 'At least 10 characters and not easy to guess (422 password_too_weak with the reason).',
});
const Email = Type.String({ format: 'email', maxLength: 254 });
const Token = Type.String({ minLength: 1, maxLength: 200, description: 'The token from the e-mailed link.' });

/** A throttled (429) or mail-less (503) answer carries Retry-After, so clients know when to retry. */
export async function retryAfterHeader(_request: FastifyRequest, reply: FastifyReply, error: Error) {
  const seconds = error instanceof ProblemError ? error.extra?.retryAfterSeconds : undefined;
  if (typeof seconds === 'number') reply.header('retry-after', String(seconds));
}

/** The token response body; the refresh token is also set as an httpOnly cookie for browsers. */
export function sessionTokenBody(
  deps: AppDeps,
  reply: FastifyReply,
  r: { organizationId: string; userId: string; tokens: SessionTokens },
) {
  reply.setCookie(REFRESH_COOKIE, r.tokens.refreshToken, {
    httpOnly: true,
    secure: refreshCookieSecure(deps.config),
    sameSite: 'strict',
    path: '/v1/auth',
    maxAge: deps.config.REFRESH_TOKEN_TTL_SECONDS,
  });
  return {
    accessToken: r.tokens.accessToken,
    tokenType: 'Bearer' as const,
    expiresIn: r.tokens.expiresIn,
    refreshToken: r.tokens.refreshToken,
    organizationId: r.organizationId,
    userId: r.userId,
  };
}

export async function authRoutes(fastify: FastifyInstance, deps: AppDeps) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const tokenBody = (
    reply: FastifyReply,
    r: { organizationId: string; userId: string; tokens: SessionTokens },
  ) => sessionTokenBody(deps, reply, r);
  const send = (
    reply: FastifyReply,
    status: number,
    r: { organizationId: string; userId: string; tokens: SessionTokens },
  ) => reply.status(status).send(tokenBody(reply, r));

  app.get(
    '/.well-known/jwks.json',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'getJwks',
        tags: ['auth'],
        summary: 'Public keys that verify access tokens (JWKS)',
        // Rate-limited like every route that does not opt out.
        response: {
          200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }),
          429: Type.Ref('Problem'),
        },
      },
    },
    async () => deps.tokenKeys.jwks,
  );

  const authRateLimit = { max: deps.config.AUTH_RATE_LIMIT_PER_MINUTE, timeWindow: '1 minute' };
  const clientOf = (request: FastifyRequest): ClientContext => ({
    ip: request.ip,
    userAgent: request.headers['user-agent'],
    audit: (userId, action, statusCode) => auditAccountEvent(deps, request, userId, action, statusCode),
  });
  const EmailSent = (status: string) =>
    Type.Object(
      { status: Type.Literal(status) },
      { description: 'The same answer whether or not the address has an account.' },
    );

  app.post(
    '/v1/auth/signup',
    {
      config: { access: 'public', rateLimit: authRateLimit },
      onError: retryAfterHeader,
      schema: {
        operationId: 'signUp',
        tags: ['auth'],
        summary: 'Ask to sign up an organisation and its owner: a confirmation link is e-mailed',
        description:
          'Always 202 with the same body, whether or not the address has an account (nothing reveals that). The e-mailed link (/signup/confirm?token=…) leads to POST /v1/auth/signup/confirm, which creates the organisation, its tenant schema, a first site with a central store and, for a new address, the owner account, all or nothing.',
        body: Type.Object(
          {
            organizationName: Type.String({ minLength: 1, maxLength: 200 }),
            email: Email,
            password: Password,
            name: Type.Optional(Type.String({ maxLength: 200 })),
            locale: Type.Optional(Locale),
            siteName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
            catalogueTemplate: Type.Optional(Type.String({ maxLength: 100 })),
          },
          { additionalProperties: false },
        ),
        response: { 202: EmailSent('confirmation_sent'), ...problemResponses },
      },
    },
    async (request, reply) => {
      await requestSignup(deps, request.body);
      return reply.status(202).send({ status: 'confirmation_sent' as const });
    },
  );

  app.post(
    '/v1/auth/signup/confirm',
    {
      config: { access: 'public', rateLimit: authRateLimit },
      onError: retryAfterHeader,
      schema: {
        operationId: 'confirmSignUp',
        tags: ['auth'],
        summary:
          'Confirm a sign-up with the e-mailed token and the password; creates the organisation and signs in',
        description:
          'For a new address the password is the one chosen at sign-up; for an address that already has an account it is that account’s password, and the organisation joins that account. A wrong password counts as a failed login and leaves the link usable.',
        body: Type.Object(
          { token: Token, password: Type.String({ minLength: 1, maxLength: 200 }) },
          { additionalProperties: false },
        ),
        response: { 201: TokenResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const r = await confirmSignup(deps, request.body, clientOf(request));
      request.auditOrganizationId = r.organizationId;
      request.auditActorId = r.userId;
      return send(reply, 201, r);
    },
  );

  app.post(
    '/v1/auth/password-reset',
    {
      config: { access: 'public', rateLimit: authRateLimit },
      onError: retryAfterHeader,
      schema: {
        operationId: 'requestPasswordReset',
        tags: ['auth'],
        summary: 'Ask for a password-reset link by e-mail',
        description:
          'Always 202 with the same body, whether or not the address has an account; the link (/password-reset/confirm?token=…) works once, for PASSWORD_RESET_TTL_SECONDS.',
        body: Type.Object({ email: Email, locale: Type.Optional(Locale) }, { additionalProperties: false }),
        response: { 202: EmailSent('reset_requested'), ...problemResponses },
      },
    },
    async (request, reply) => {
      await requestPasswordReset(deps, request.body);
      return reply.status(202).send({ status: 'reset_requested' as const });
    },
  );

  app.post(
    '/v1/auth/password-reset/confirm',
    {
      config: { access: 'public', rateLimit: authRateLimit },
      schema: {
        operationId: 'confirmPasswordReset',
        tags: ['auth'],
        summary: 'Set a new password with the e-mailed token; every session of the account is revoked',
        body: Type.Object({ token: Token, password: Password }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      await confirmPasswordReset(deps, request.body, clientOf(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/auth/login',
    {
      config: { access: 'public', rateLimit: authRateLimit },
      onError: retryAfterHeader,
      schema: {
        operationId: 'logIn',
        tags: ['auth'],
        summary: 'Log in with email and password',
        description:
          'Failed attempts are counted per account and per client address: after LOGIN_FREE_FAILURES each attempt waits twice as long as the last, and LOGIN_LOCK_AFTER_FAILURES locks for LOGIN_LOCK_SECONDS (429 login_throttled with Retry-After, the same for an address without an account).',
        body: Type.Object(
          {
            email: Email,
            password: Type.String({ minLength: 1, maxLength: 200 }),
            organizationId: Type.Optional(Uuid),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Intersect([
            TokenResponse,
            Type.Object({
              organizations: Type.Array(Type.Object({ id: Uuid, name: Type.String(), role: Type.String() })),
            }),
          ]),
          ...problemResponses,
        },
      },
    },
    async (request, reply) => {
      const r = await login(deps, request.body, clientOf(request));
      request.auditOrganizationId = r.organizationId;
      request.auditActorId = r.userId;
      return { ...tokenBody(reply, r), organizations: r.organizations };
    },
  );

  const refreshTokenOf = (request: FastifyRequest<{ Body: { refreshToken?: string } }>) =>
    request.body?.refreshToken ?? request.cookies[REFRESH_COOKIE];

  app.post(
    '/v1/auth/refresh',
    {
      config: { access: 'public' },
      schema: {
        operationId: 'refreshSession',
        tags: ['auth'],
        summary:
          'Exchange a refresh token (cookie or body) for a new access token; the refresh token rotates',
        body: Type.Object(
          { refreshToken: Type.Optional(Type.String({ maxLength: 200 })) },
          { additionalProperties: false },
        ),
        response: { 200: TokenResponse, ...problemResponses },
      },
    },
    async (request, reply) => {
      const token = refreshTokenOf(request);
      if (!token) throw unauthorized('No refresh token was sent.', 'no_refresh_token');
      const r = await refresh(deps, token);
      request.auditOrganizationId = r.organizationId;
      request.auditActorId = r.userId;
      return send(reply, 200, r);
    },
  );

  app.post(
    '/v1/auth/logout',
    {
      config: { access: { scope: 'read' } },
      schema: {
        operationId: 'logOut',
        tags: ['auth'],
        summary: 'Revoke the current session: its access and refresh tokens stop working at once',
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      if (auth.sessionId && auth.userId) await revokeSession(deps, auth.userId, auth.sessionId);
      reply.clearCookie(REFRESH_COOKIE, { path: '/v1/auth' });
      return reply.status(204).send(null);
    },
  );

  const Session = Type.Object({
    id: Uuid,
    userAgent: Type.Union([Type.String(), Type.Null()]),
    createdAt: DateTime,
    lastRefreshedAt: DateTime,
    expiresAt: DateTime,
    current: Type.Boolean(),
  });

  app.get(
    '/v1/auth/sessions',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['auth'],
        summary: "The caller's active sessions in this organisation",
        response: { 200: Type.Object({ items: Type.Array(Session) }), ...problemResponses },
      },
    },
    async (request) => {
      const auth = authOf(request);
      if (!auth.userId) return { items: [] };
      const rows = await listSessions(deps, auth.userId, auth.organizationId);
      return {
        items: rows.map((s) => ({
          id: s.id,
          userAgent: s.user_agent,
          createdAt: s.created_at.toISOString(),
          lastRefreshedAt: s.last_refreshed_at.toISOString(),
          expiresAt: s.expires_at.toISOString(),
          current: s.id === auth.sessionId,
        })),
      };
    },
  );

  app.delete(
    '/v1/auth/sessions/:id',
    {
      config: { access: { scope: 'read' } },
      schema: {
        tags: ['auth'],
        summary: "Revoke one of the caller's sessions (token revocation)",
        params: IdParams,
        response: { 204: Type.Null(), ...problemResponses },
      },
    },
    async (request, reply) => {
      const auth = authOf(request);
      const ok = auth.userId ? await revokeSession(deps, auth.userId, request.params.id) : false;
      if (!ok) throw notFound('The session');
      return reply.status(204).send(null);
    },
  );
}
