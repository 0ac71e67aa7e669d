/**
 * For the tenant-isolation test: how to fill each path parameter with another tenant's record,
 * and a valid body for each operation. Every route with a path parameter must appear here, so a
 * new route cannot escape the isolation test by omission.
 */
export type ResourceKind = 'site' | 'apiKey' | 'member' | 'session';

export const PATH_RESOURCE: Record<string, ResourceKind> = {
  '/v1/sites/{id}': 'site',
  '/v1/sites/{id}/locations': 'site',
  '/v1/api-keys/{id}': 'apiKey',
  '/v1/users/{id}': 'member',
  '/v1/auth/sessions/{id}': 'session',
};

export const SAMPLE_BODIES: Record<string, unknown> = {
  'PATCH /v1/sites/{id}': { name: 'renamed by another tenant' },
  'POST /v1/sites/{id}/locations': { code: 'INTRUDER', name: 'intruder' },
  'PATCH /v1/users/{id}': { role: 'viewer' },
};
