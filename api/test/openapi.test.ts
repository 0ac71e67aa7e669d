import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
      }
    }
    expect(problems).toEqual([]);
  });
});
