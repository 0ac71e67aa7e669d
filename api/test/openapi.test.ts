import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { operationIdFor } from '../src/lib/openapi-operation.ts';
import { openApiDocument } from '../src/openapi-document.ts';

describe('the OpenAPI document is the contract', () => {
  it('the committed openapi/openapi.json matches the routes (run `pnpm openapi` after changing a route)', async () => {
    const committed = readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8');
    expect(await openApiDocument()).toBe(committed);
  });

  it('every operation has a tag, a summary, a success response schema and problem responses', async () => {
    const doc = JSON.parse(await openApiDocument());
    expect(doc.openapi).toBe('3.1.0');
    const problems: string[] = [];
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        const where = `${method.toUpperCase()} ${path}`;
        if (!op.tags?.length) problems.push(`${where}: no tags`);
        if (!op.summary) problems.push(`${where}: no summary`);
        const statuses = Object.keys(op.responses ?? {});
        if (!statuses.some((s) => s.startsWith('2'))) problems.push(`${where}: no 2xx response`);
        if (path.startsWith('/v1/') && !statuses.includes('400'))
          problems.push(`${where}: no problem responses`);
        if (!Array.isArray(op.security)) problems.push(`${where}: no security (public routes declare [])`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('every operation has a camelCase operationId of its own (the generated client names methods by it) and the security its access implies', async () => {
    const doc = JSON.parse(await openApiDocument());
    const owners = new Map<string, string[]>();
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) {
      for (const [method, op] of Object.entries<any>(ops)) {
        const id = String(op.operationId);
        owners.set(id, [...(owners.get(id) ?? []), `${method.toUpperCase()} ${path}`]);
      }
    }
    expect([...owners.keys()].filter((id) => !/^[a-z][A-Za-z0-9]*$/.test(id))).toEqual([]);
    expect([...owners].filter(([, where]) => where.length > 1)).toEqual([]);
    expect(owners.size).toBeGreaterThan(100);
    // The security the auth hook applies: none on public routes, a bearer token or X-API-Key elsewhere.
    expect(doc.paths['/v1/auth/login'].post.security).toEqual([]);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    expect(doc.paths['/v1/alerts'].get.security).toEqual([{ bearer: [] }, { apiKey: [] }]);
  });

  it('derives an unnamed operationId from the method and path template by one rule', () => {
    expect(operationIdFor('GET', '/v1/alerts')).toBe('listAlerts');
    expect(operationIdFor('GET', '/v1/alerts/:id')).toBe('getAlert');
    expect(operationIdFor('GET', '/v1/alerts/summary')).toBe('getAlertsSummary');
    expect(operationIdFor('POST', '/v1/alerts/:id/acknowledge')).toBe('acknowledgeAlert');
    expect(operationIdFor('POST', '/v1/purchase-orders/:id/receipts')).toBe('createPurchaseOrderReceipt');
    expect(operationIdFor('PUT', '/v1/items/{id}/suppliers/{supplierId}')).toBe('setItemSupplier');
    expect(operationIdFor('DELETE', '/v1/webhooks/:id')).toBe('deleteWebhook');
    expect(operationIdFor('POST', '/v1/webhooks/:id/rotate-secret')).toBe('rotateWebhookSecret');
    expect(operationIdFor('GET', '/v1/receiving/settings')).toBe('getReceivingSettings');
    expect(operationIdFor('GET', '/v1/webhooks/:id/deliveries')).toBe('listWebhookDeliveries');
  });
});
