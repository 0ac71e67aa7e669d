import type { Role } from '@medstock/core';
import type { ApiKeyScope } from '@medstock/db';
import { forbidden, notFound, ProblemError } from '../lib/problem.ts';

/**
 * Permissions are the API-key scopes; a user's role grants a fixed set of them. One vocabulary
 * for people and integrations keeps every route's check to a single line.
 */
export type Scope = ApiKeyScope;
// The lists are core's (core/src/access/roles.ts), re-exported for the API's callers.
export { ROLE_SCOPES, SCOPES } from '@medstock/core';

export interface AuthContext {
  kind: 'user' | 'api_key';
  organizationId: string;
  userId: string | null;
  sessionId: string | null;
  apiKeyId: string | null;
  role: Role | null;
  scopes: ReadonlySet<Scope>;
  /** null: every site; otherwise only these sites are visible and writable. */
  siteIds: readonly string[] | null;
}

/** `scope` may list several: any one of them grants access. */
export type RouteAccess = 'public' | { scope: Scope | Scope[]; ownerOnly?: boolean };

export function checkAccess(auth: AuthContext, access: Exclude<RouteAccess, 'public'>): void {
  const anyOf = Array.isArray(access.scope) ? access.scope : [access.scope];
  if (!anyOf.some((s) => auth.scopes.has(s))) {
    const needed = anyOf.map((s) => `'${s}'`).join(' or ');
    throw auth.kind === 'api_key'
      ? forbidden(`This API key lacks the ${needed} scope.`, 'api_key_scope', { scopes: anyOf })
      : forbidden(`The role '${auth.role}' may not do this (needs ${needed}).`, 'role', {
          role: auth.role,
          scopes: anyOf,
        });
  }
  if (access.ownerOnly && auth.role !== 'owner')
    throw forbidden('Only the organisation owner may do this.', 'owner_only');
}

/**
 * Refuses (403 all_sites_required) a site-limited caller something whose reach is every site:
 * a webhook endpoint, for one, receives every site's events at a URL its creator chooses.
 */
export function assertAllSites(auth: AuthContext, why: string): void {
  if (auth.siteIds !== null) throw new ProblemError(403, 'all_sites_required', 'Forbidden', why);
}

/**
 * The sites a request's resources were at, as its site checks saw them: the audit entry of a
 * mutating request records them, so a site-limited admin reads the entries of their sites only.
 * Kept beside the request's AuthContext (one object per request) rather than in it.
 */
const touchedSites = new WeakMap<AuthContext, Set<string>>();

export function noteSiteTouched(auth: AuthContext, siteId: string): void {
  const sites = touchedSites.get(auth) ?? new Set<string>();
  sites.add(siteId);
  touchedSites.set(auth, sites);
}

export function sitesTouched(auth: AuthContext | null | undefined): string[] {
  return auth ? [...(touchedSites.get(auth) ?? [])] : [];
}

/**
 * A site outside the caller's limit is reported as not found, so its existence does not leak.
 * The site counts as touched either way: a refused attempt on site B is B's business.
 */
export function assertSiteVisible(auth: AuthContext, siteId: string, what = 'The site'): void {
  noteSiteTouched(auth, siteId);
  if (auth.siteIds !== null && !auth.siteIds.includes(siteId)) throw notFound(what);
}
