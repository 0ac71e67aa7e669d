/**
 * For the tenant-isolation test: how to fill each path parameter with another tenant's record,
 * and a valid body for each operation. Every route with a path parameter must appear here, so a
 * new route cannot escape the isolation test by omission.
 */
export type ResourceKind =
  | 'site'
  | 'apiKey'
  | 'member'
  | 'invitation'
  | 'session'
  | 'movementGroup'
  | 'item'
  | 'location'
  | 'alert'
  | 'backtest'
  | 'anomaly'
  | 'supplier'
  | 'purchaseOrder'
  | 'procedureType'
  | 'scheduledProcedure'
  | 'importJob'
  | 'webhook'
  | 'webhookDelivery'
  | 'stocktake'
  | 'stockReport'
  | 'department'
  | 'requisition'
  | 'recall'
  | 'fixedPack'
  | 'inspection'
  | 'robotChannel';

export const PATH_RESOURCE: Record<string, ResourceKind> = {
  '/v1/locations/{id}': 'location',
  '/v1/items/{id}/gtins': 'item',
  '/v1/items/{id}/gtins/{gtin}': 'item',
  '/v1/items/{id}/stock-card': 'item',
  '/v1/items/{id}/stock-card/movements': 'item',
  '/v1/items/{id}/label': 'item',
  '/v1/purchase-orders/{id}/pdf': 'purchaseOrder',
  '/v1/purchase-orders/{id}/email': 'purchaseOrder',
  '/v1/stocktakes/{id}/pdf': 'stocktake',
  '/v1/robot-channels/{id}': 'robotChannel',
  '/v1/robot-channels/{id}/messages': 'robotChannel',
  '/v1/departments/{id}': 'department',
  '/v1/requisitions/{id}': 'requisition',
  '/v1/requisitions/{id}/approve': 'requisition',
  '/v1/requisitions/{id}/reject': 'requisition',
  '/v1/requisitions/{id}/cancel': 'requisition',
  '/v1/requisitions/{id}/pick-list': 'requisition',
  '/v1/requisitions/{id}/issue': 'requisition',
  '/v1/recalls/{id}': 'recall',
  '/v1/fixed-packs/{id}/label': 'fixedPack',
  '/v1/recalls/{id}/release': 'recall',
  '/v1/inspections/{id}/release': 'inspection',
  '/v1/inspections/{id}/reject': 'inspection',
  '/v1/purchase-orders/{id}/receipt-scan': 'purchaseOrder',
  '/v1/items/{id}/suppliers/{supplierId}/consignment': 'item',
  '/v1/items/{id}': 'item',
  '/v1/items/{id}/convert': 'item',
  '/v1/items/{id}/suppliers/{supplierId}': 'item',
  '/v1/suppliers/{id}': 'supplier',
  '/v1/locations/{id}/par-levels': 'location',
  '/v1/locations/{id}/par-levels/{itemId}': 'location',
  // Templates are not tenant data: another tenant's id is simply not a template code (404).
  '/v1/catalogue-templates/{code}': 'item',
  '/v1/catalogue-templates/{code}/apply': 'item',
  '/v1/sites/{id}': 'site',
  '/v1/sites/{id}/locations': 'site',
  '/v1/api-keys/{id}': 'apiKey',
  '/v1/users/{id}': 'member',
  '/v1/invitations/{id}': 'invitation',
  '/v1/invitations/{id}/resend': 'invitation',
  '/v1/auth/sessions/{id}': 'session',
  '/v1/movements/{id}': 'movementGroup',
  '/v1/alerts/{id}': 'alert',
  '/v1/backtests/{id}': 'backtest',
  '/v1/backtests/{id}/rows': 'backtest',
  '/v1/alerts/{id}/acknowledge': 'alert',
  '/v1/alerts/{id}/dismiss': 'alert',
  '/v1/alerts/{id}/snooze': 'alert',
  '/v1/anomalies/{id}/accept': 'anomaly',
  '/v1/anomalies/{id}/reject': 'anomaly',
  '/v1/purchase-orders/{id}': 'purchaseOrder',
  '/v1/purchase-orders/{id}/approve': 'purchaseOrder',
  '/v1/purchase-orders/{id}/send': 'purchaseOrder',
  '/v1/purchase-orders/{id}/cancel': 'purchaseOrder',
  '/v1/purchase-orders/{id}/receipts': 'purchaseOrder',
  '/v1/procedure-types/{id}': 'procedureType',
  '/v1/procedure-types/{id}/kit': 'procedureType',
  '/v1/scheduled-procedures/{id}': 'scheduledProcedure',
  '/v1/scheduled-procedures/{id}/complete': 'scheduledProcedure',
  '/v1/scheduled-procedures/{id}/cancel': 'scheduledProcedure',
  '/v1/imports/{id}': 'importJob',
  '/v1/stock-reports/{id}': 'stockReport',
  '/v1/stocktakes/{id}': 'stocktake',
  '/v1/stocktakes/{id}/counts': 'stocktake',
  '/v1/stocktakes/{id}/submit': 'stocktake',
  '/v1/stocktakes/{id}/reopen': 'stocktake',
  '/v1/stocktakes/{id}/approve': 'stocktake',
  '/v1/stocktakes/{id}/cancel': 'stocktake',
  '/v1/stocktakes/{id}/post': 'stocktake',
  '/v1/webhooks/{id}': 'webhook',
  '/v1/webhooks/{id}/rotate-secret': 'webhook',
  '/v1/webhooks/{id}/test': 'webhook',
  '/v1/webhooks/{id}/deliveries': 'webhook',
  '/v1/webhooks/{id}/deliveries/{deliveryId}': 'webhook',
  '/v1/webhooks/{id}/deliveries/{deliveryId}/redeliver': 'webhook',
};

/** Path parameters other than the one PATH_RESOURCE names, filled with tenant B's record of this kind. */
export const PARAM_RESOURCE: Record<string, ResourceKind> = {
  supplierId: 'supplier',
  itemId: 'item',
  deliveryId: 'webhookDelivery',
};

/** Path parameters that are values, not record ids: a valid value that tenant A does not hold. */
export const PARAM_VALUES: Record<string, string> = { gtin: '06901234567892' };

/**
 * Routes whose path parameter names no tenant record (an import kind): another tenant's id is
 * not a value of it, so they answer 400, and they have no tenant data to leak.
 */
export const NOT_TENANT_PATHS = new Set(['/v1/imports/templates/{kind}']);

export const SAMPLE_BODIES: Record<string, unknown> = {
  'PATCH /v1/locations/{id}': { name: 'renamed by another tenant' },
  'PATCH /v1/robot-channels/{id}': { name: 'renamed by another tenant' },
  'POST /v1/items/{id}/gtins': { gtin: '06901234567892' },
  'POST /v1/purchase-orders/{id}/email': {},
  'PATCH /v1/departments/{id}': { name: 'renamed by another tenant' },
  'POST /v1/requisitions/{id}/approve': {},
  'POST /v1/requisitions/{id}/reject': { reason: 'not mine' },
  'POST /v1/requisitions/{id}/cancel': { reason: 'not mine' },
  'POST /v1/requisitions/{id}/issue': {
    lines: [{ lineId: '00000000-0000-4000-8000-000000000000', quantity: 1 }],
  },
  'POST /v1/recalls/{id}/release': { reason: 'not mine' },
  'POST /v1/inspections/{id}/release': { reason: 'not mine' },
  'POST /v1/inspections/{id}/reject': { reason: 'not mine' },
  'PUT /v1/items/{id}/suppliers/{supplierId}/consignment': { consignment: true },
  'PATCH /v1/items/{id}': { nameEn: 'renamed by another tenant' },
  'PATCH /v1/suppliers/{id}': { name: 'renamed by another tenant' },
  'PUT /v1/items/{id}/suppliers/{supplierId}': { packPrice: 1, preferred: true },
  'PUT /v1/locations/{id}/par-levels/{itemId}': { minQty: 1 },
  'PATCH /v1/sites/{id}': { name: 'renamed by another tenant' },
  'POST /v1/sites/{id}/locations': { code: 'INTRUDER', name: 'intruder' },
  'PATCH /v1/users/{id}': { role: 'viewer' },
  'POST /v1/alerts/{id}/dismiss': { reason: 'not mine to dismiss' },
  'POST /v1/alerts/{id}/snooze': { until: '2099-01-01T00:00:00Z' },
  'PATCH /v1/purchase-orders/{id}': { notes: 'edited by another tenant' },
  'POST /v1/purchase-orders/{id}/cancel': { reason: 'not mine' },
  'POST /v1/purchase-orders/{id}/receipts': {
    lines: [{ lineId: '00000000-0000-4000-8000-000000000000', quantity: 1 }],
  },
  'PUT /v1/procedure-types/{id}/kit': { items: [] },
  'POST /v1/scheduled-procedures/{id}/complete': {},
  'POST /v1/stocktakes/{id}/counts': {
    counts: [{ lineId: '00000000-0000-4000-8000-000000000000', quantity: 1 }],
  },
  'POST /v1/stocktakes/{id}/cancel': { reason: 'not mine' },
  'PATCH /v1/webhooks/{id}': { description: 'edited by another tenant' },
};

/**
 * Routes that take another record's id in the body or query: tenant A naming tenant B's ids
 * must be refused (404 or 422) and change nothing.
 */
export const BODY_ID_PROBES: Array<{
  method: 'POST' | 'GET';
  url: (b: Record<ResourceKind, string>) => string;
  body?: (b: Record<ResourceKind, string>) => unknown;
}> = [
  {
    method: 'POST',
    url: () => '/v1/movements',
    body: (b) => ({ type: 'receipt', itemId: b.item, locationId: b.location, quantity: 5 }),
  },
  { method: 'GET', url: (b) => `/v1/movements?itemId=${b.item}` },
  {
    method: 'POST',
    url: () => '/v1/requisitions',
    body: (b) => ({
      departmentId: b.department,
      sourceLocationId: b.location,
      lines: [{ itemId: b.item, quantity: 1 }],
    }),
  },
  { method: 'GET', url: (b) => `/v1/requisitions?departmentId=${b.department}` },
  { method: 'GET', url: (b) => `/v1/fixed-packs?departmentId=${b.department}` },
  {
    method: 'POST',
    url: () => '/v1/fixed-packs',
    body: (b) => ({
      code: 'A-INTRUDER',
      itemId: b.item,
      quantity: 1,
      departmentId: b.department,
      sourceLocationId: b.location,
    }),
  },
  {
    method: 'POST',
    url: () => '/v1/recalls',
    body: (b) => ({ itemId: b.item, lotNumber: 'B-LOT', reason: 'not mine' }),
  },
  { method: 'GET', url: (b) => `/v1/lots/trace?itemId=${b.item}&lotNumber=B-LOT` },
  { method: 'GET', url: (b) => `/v1/stock?itemId=${b.item}` },
  { method: 'GET', url: (b) => `/v1/inspections?siteId=${b.site}` },
  { method: 'GET', url: (b) => `/v1/consignment/stock?supplierId=${b.supplier}` },
  { method: 'GET', url: (b) => `/v1/consignment/stock?siteId=${b.site}` },
  {
    method: 'POST',
    url: () => '/v1/movements',
    body: (b) => ({
      type: 'return',
      itemId: b.item,
      locationId: b.location,
      quantity: 1,
      supplierId: b.supplier,
      reason: 'x',
    }),
  },
  { method: 'GET', url: (b) => `/v1/stock?siteId=${b.site}` },
  { method: 'POST', url: () => '/v1/stocktakes', body: (b) => ({ locationId: b.location }) },
  { method: 'POST', url: () => '/v1/stocktakes', body: (b) => ({ siteId: b.site }) },
  { method: 'GET', url: (b) => `/v1/stocktakes?siteId=${b.site}` },
  { method: 'GET', url: (b) => `/v1/suggestions/purchases?siteId=${b.site}` },
  { method: 'POST', url: () => '/v1/suggestions/purchases/draft-orders', body: (b) => ({ siteId: b.site }) },
  { method: 'GET', url: (b) => `/v1/suggestions/transfers?siteId=${b.site}` },
  { method: 'GET', url: (b) => `/v1/suggestions/transfers?itemId=${b.item}` },
  {
    method: 'POST',
    url: () => '/v1/suggestions/transfers/execute',
    body: (b) => ({ fromLocationId: b.location, toLocationId: b.location, itemId: b.item, quantity: 1 }),
  },
  { method: 'GET', url: (b) => `/v1/kpis?siteId=${b.site}` },
  { method: 'GET', url: (b) => `/v1/policies?itemId=${b.item}` },
  { method: 'GET', url: (b) => `/v1/policies?siteId=${b.site}` },
  { method: 'GET', url: (b) => `/v1/anomalies?itemId=${b.item}` },
  { method: 'GET', url: (b) => `/v1/anomalies?siteId=${b.site}` },
  {
    method: 'POST',
    url: () => '/v1/purchase-orders',
    body: (b) => ({
      supplierId: b.supplier,
      locationId: b.location,
      lines: [{ itemId: b.item, quantity: 1 }],
    }),
  },
  { method: 'GET', url: (b) => `/v1/purchase-orders?supplierId=${b.supplier}` },
  { method: 'GET', url: (b) => `/v1/in-transit?itemId=${b.item}` },
  { method: 'GET', url: (b) => `/v1/lead-times?itemId=${b.item}` },
  {
    method: 'POST',
    url: () => '/v1/scheduled-procedures',
    body: (b) => ({ procedureTypeId: b.procedureType, locationId: b.location, scheduledFor: '2031-01-01' }),
  },
  {
    method: 'POST',
    url: () => '/v1/scheduled-procedures/bulk',
    body: (b) => ({
      items: [
        {
          externalRef: 'B-HIS-1',
          procedureTypeId: b.procedureType,
          locationId: b.location,
          scheduledFor: '2031-01-01',
        },
      ],
    }),
  },
  { method: 'GET', url: (b) => `/v1/planned-demand?itemId=${b.item}&from=2031-01-01&to=2031-12-31` },
];
