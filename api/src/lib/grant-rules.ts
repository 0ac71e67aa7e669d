import type { Role } from '@medstock/db';
import { type AuthContext, ROLE_SCOPES, type Scope } from '../plugins/access.ts';
import { ProblemError } from './problem.ts';

/**
 * The one rule for every grant (a membership, an invitation, an API key): nobody grants scopes
 * or sites they do not hold themselves, nobody widens their own access, and nobody manages a
 * member whose access exceeds theirs (else a site-limited admin could demote or remove the
 * all-sites admin who limited them).
 */
export interface Access {
  scopes: readonly Scope[];
  /** null: every site. */
  siteIds: readonly string[] | null;
}

export const roleAccess = (role: Role, siteIds: readonly string[] | null): Access => ({
  scopes: ROLE_SCOPES[role],
  siteIds,
});

const callerAccess = (auth: AuthContext): Access => ({ scopes: [...auth.scopes], siteIds: auth.siteIds });

function sitesWithin(inner: readonly string[] | null, outer: readonly string[] | null): boolean {
  if (outer === null) return true;
  if (inner === null) return false;
  return inner.every((s) => outer.includes(s));
}

const missingScopes = (inner: Access, outer: Access) => inner.scopes.filter((s) => !outer.scopes.includes(s));

export function accessWithin(inner: Access, outer: Access): boolean {
  return missingScopes(inner, outer).length === 0 && sitesWithin(inner.siteIds, outer.siteIds);
}

const refuse = (code: string, detail: string, params: Record<string, unknown> = {}) =>
  new ProblemError(403, code, 'Forbidden', detail, undefined, { params });

/** Refuses a grant of a role (or key scopes) and sites beyond the caller's own. */
export function assertMayGrant(auth: AuthContext, grant: Access & { role?: Role }): void {
  const missing = missingScopes(grant, callerAccess(auth));
  if (missing.length)
    throw refuse(
      'grant_exceeds_own_scopes',
      `You cannot grant the ${missing.map((s) => `'${s}'`).join(', ')} scope, which you do not hold yourself.`,
      { scopes: missing },
    );
  if (!sitesWithin(grant.siteIds, auth.siteIds))
    throw refuse(
      'grant_exceeds_own_sites',
      grant.siteIds === null
        ? 'You are limited to some sites, so you cannot grant access to every site.'
        : 'You cannot grant access to sites outside your own.',
    );
  // Owners hold no scope admins lack, but an owner can remove other owners and close the account.
  if (grant.role === 'owner' && auth.role !== 'owner')
    throw refuse('owner_required', 'Only an owner can make another owner.');
}

/** A site-limited caller who names no sites grants their own sites (never "every site"). */
export function sitesOrOwn(auth: AuthContext, requested: string[] | null | undefined): string[] | null {
  if (requested !== undefined) return requested;
  return auth.siteIds === null ? null : [...auth.siteIds];
}

/** Refuses changing, removing or re-inviting someone whose access exceeds the caller's. */
export function assertMayManage(auth: AuthContext, target: Access & { role?: Role }): void {
  if (target.role === 'owner' && auth.role !== 'owner')
    throw refuse('owner_required', 'Only an owner can change or remove an owner.');
  if (!accessWithin(target, callerAccess(auth)))
    throw refuse(
      'member_exceeds_own_access',
      'This member holds sites or permissions you do not hold yourself, so you cannot change or remove them.',
    );
}

/** A change of one's own membership may narrow it, never widen it. */
export function assertNotWideningOwn(current: Access, next: Access): void {
  if (!accessWithin(next, current))
    throw refuse('cannot_widen_own_access', 'You cannot widen your own role or site access.');
}
