import { timingSafeEqual } from 'node:crypto';
import type { Role } from '@medstock/db';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { AppDeps } from '../deps.ts';
import { organizationPendingDeletion, refusePendingDeletion } from '../lib/organization-pending-deletion.ts';
import { unauthorized } from '../lib/problem.ts';
import { sha256, verifyAccessToken } from '../lib/tokens.ts';
import { type AuthContext, checkAccess, ROLE_SCOPES, type RouteAccess, type Scope } from './access.ts';

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

export const API_KEY_PATTERN = /^msk_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** The key prefix is public (used for rate limiting and lookup); the secret half is hashed. */
export function apiKeyPrefixOf(header: string | undefined): string | null {
  const m = header && bearer(header)?.match(API_KEY_PATTERN);
  return m ? m[1]! : null;
}

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const m = header.match(/^Bearer\s+(.+)$/i);
  return m ? m[1]!.trim() : null;
}

function credentialOf(request: FastifyRequest): string | null {
  const apiKey = request.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey) return apiKey;
  return bearer(request.headers.authorization);
}

async function authenticateApiKey(deps: AppDeps, token: string): Promise<AuthContext | null> {
  const m = token.match(API_KEY_PATTERN);
  if (!m) return null;
  const { rows } = await deps.database.pool.query<{
    id: string;
    organization_id: string;
    secret_hash: string;
    scopes: Scope[];
    site_ids: string[] | null;
    status: string;
    deletion_due_at: Date | null;
  }>(
    `select k.id, k.organization_id, k.secret_hash, k.scopes, k.site_ids, o.status, o.deletion_due_at
       from control.api_keys k join control.organizations o on o.id = k.organization_id
      where k.prefix = $1 and k.revoked_at is null`,
    [m[1]],
  );
  const key = rows[0];
  if (!key) return null;
  const given = Buffer.from(sha256(m[2]!));
  if (!timingSafeEqual(given, Buffer.from(key.secret_hash))) return null;
  // Only a caller holding the whole key learns that its organisation is being erased.
  if (key.status === 'pending_deletion' && key.deletion_due_at)
    throw organizationPendingDeletion(key.deletion_due_at);
  if (key.status !== 'active') return null;
  // Recording last use at most once a minute keeps a hot key from writing on every request.
  deps.database.pool
    .query(
      `update control.api_keys set last_used_at = now()
        where id = $1 and (last_used_at is null or last_used_at < now() - interval '1 minute')`,
      [key.id],
    )
    .catch(() => {});
  return {
    kind: 'api_key',
    organizationId: key.organization_id,
    userId: null,
    sessionId: null,
    apiKeyId: key.id,
    role: null,
    scopes: new Set(key.scopes),
    siteIds: key.site_ids,
  };
}

async function authenticateUser(deps: AppDeps, token: string): Promise<AuthContext | null> {
  const claims = await verifyAccessToken(deps.tokenKeys, token);
  if (!claims) return null;
  // Role and site limits are read per request so that a changed membership or a revoked
  // session takes effect at once, not when the token expires.
  const { rows } = await deps.database.pool.query<{ role: Role; site_ids: string[] | null }>(
    `select m.role, m.site_ids
       from control.memberships m
       join control.organizations o on o.id = m.organization_id and o.status = 'active'
       join control.sessions s on s.id = $3 and s.user_id = m.user_id and s.organization_id = m.organization_id
      where m.organization_id = $1 and m.user_id = $2 and s.revoked_at is null and s.expires_at > now()`,
    [claims.org, claims.sub, claims.sid],
  );
  const m = rows[0];
  if (!m) {
    // The token's signature proves its organisation; its sessions ended when erasure was asked.
    await refusePendingDeletion(deps.database.pool, [claims.org]);
    return null;
  }
  return {
    kind: 'user',
    organizationId: claims.org,
    userId: claims.sub,
    sessionId: claims.sid,
    apiKeyId: null,
    role: m.role,
    scopes: new Set(ROLE_SCOPES[m.role]),
    siteIds: m.site_ids,
  };
}

export async function authenticate(deps: AppDeps, request: FastifyRequest): Promise<AuthContext | null> {
  const token = credentialOf(request);
  if (!token) return null;
  return token.startsWith('msk_') ? authenticateApiKey(deps, token) : authenticateUser(deps, token);
}

/**
 * One hook authenticates every request and enforces the route's declared access. A route that
 * declares no access fails at start-up, so nothing is left open by omission.
 */
export const authPlugin = fp(async (app: FastifyInstance, deps: AppDeps) => {
  app.decorateRequest('auth', null);
  app.addHook('onRoute', (route) => {
    if (route.url.startsWith('/docs')) return;
    if (!route.config?.access) throw new Error(`Route ${route.method} ${route.url} declares no access`);
  });
  // preParsing, not onRequest: the rate limiter (a route-level onRequest hook) must run first so
  // that floods of bad credentials are limited too.
  app.addHook('preParsing', async (request) => {
    const access = request.routeOptions.config?.access;
    if (!access) return; // 404s and the docs UI
    const auth = await authenticate(deps, request);
    request.auth = auth;
    if (access === 'public') return;
    if (!auth) throw unauthorized('A valid access token or API key is required.', 'credentials');
    checkAccess(auth, access);
  });
});

/** For handlers of authenticated routes: the hook has already guaranteed it is set. */
export function authOf(request: FastifyRequest): AuthContext {
  if (!request.auth) throw unauthorized();
  return request.auth;
}
