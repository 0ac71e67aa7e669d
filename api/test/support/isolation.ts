/**
 * For the tenant-isolation test: how to fill each path parameter with another tenant's record,
 * and a valid body for each operation. Every route with a path parameter must appear here, so a
 * new route cannot escape the isolation test by omission.
 */
export type ResourceKind = 'site' | 'apiKey' | 'member' | 'session' | 'movementGroup' | 'item' | 'location' | 'alert' | 'backtest';

export const PATH_RESOURCE: Record<string, ResourceKind> = {
  '/v1/sites/{id}': 'site',
  '/v1/sites/{id}/locations': 'site',
  '/v1/api-keys/{id}': 'apiKey',
  '/v1/users/{id}': 'member',
  '/v1/auth/sessions/{id}': 'session',
  '/v1/movements/{id}': 'movementGroup',
  '/v1/alerts/{id}': 'alert',
  '/v1/backtests/{id}': 'backtest',
  '/v1/backtests/{id}/rows': 'backtest',
  '/v1/alerts/{id}/acknowledge': 'alert',
  '/v1/alerts/{id}/dismiss': 'alert',
  '/v1/alerts/{id}/snooze': 'alert',
};

export const SAMPLE_BODIES: Record<string, unknown> = {
  'PATCH /v1/sites/{id}': { name: 'renamed by another tenant' },
  'POST /v1/sites/{id}/locations': { code: 'INTRUDER', name: 'intruder' },
  'PATCH /v1/users/{id}': { role: 'viewer' },
  'POST /v1/alerts/{id}/dismiss': { reason: 'not mine to dismiss' },
  'POST /v1/alerts/{id}/snooze': { until: '2099-01-01T00:00:00Z' },
};

/**
 * Routes that take another record's id in the body or query: tenant A naming tenant B's ids
 * must be refused (404 or 422) and change nothing.
 */
export const BODY_ID_PROBES: Array<{ method: 'POST' | 'GET'; url: (b: Record<ResourceKind, string>) => string; body?: (b: Record<ResourceKind, string>) => unknown }> = [
  { method: 'POST', url: () => '/v1/movements', body: (b) => ({ type: 'receipt', itemId: b.item, locationId: b.location, quantity: 5 }) },
  { method: 'GET', url: (b) => `/v1/movements?itemId=${b.item}` },
  { method: 'GET', url: (b) => `/v1/stock?itemId=${b.item}` },
  { method: 'GET', url: (b) => `/v1/stock?siteId=${b.site}` },
];
