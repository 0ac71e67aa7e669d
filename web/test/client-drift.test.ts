import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script shared with `pnpm --filter @medstock/web gen`
import { renderSchema, schemaPath } from '../scripts/render-schema.mjs';

describe('typed API client', () => {
  it('openapi/schema.d.ts matches openapi/openapi.json (run `pnpm --filter @medstock/web gen` after `pnpm openapi`)', async () => {
    const expected: string = await renderSchema();
    const actual = readFileSync(schemaPath, 'utf8');
    expect(actual === expected, 'openapi/schema.d.ts is stale: run `pnpm --filter @medstock/web gen`').toBe(
      true,
    );
  });
});
