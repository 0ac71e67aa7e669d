import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FuzzTarget, seedFuzzTarget } from '../../infra/fuzz/fuzz-fixtures.ts';
import { type JsonSchema, kindOf, schemaValue, VALID } from '../../infra/fuzz/openapi-requests.ts';
import { PASSWORD, type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
let target: FuzzTarget;
beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  target = await seedFuzzTarget(t.app, { email: owner.email, password: PASSWORD, headers: owner.headers });
});
afterAll(async () => t?.close());

/**
 * Bad input never yields a 500: every operation of the OpenAPI document is called with unknown
 * ids, junk bodies, malformed JSON and out-of-range query values, as an owner (so access checks
 * do not hide the handler).
 */
describe('no 500 on bad input, on every route', () => {
  it('answers 4xx (or 2xx) to junk on every operation', async () => {
    const doc = t.app.swagger() as { paths: Record<string, Record<string, unknown>> };
    const failures: string[] = [];
    const junkBodies: Array<string | Record<string, unknown>> = [
      { zzz: [1] },
      '{"a":',
      { quantity: 'many', id: 'x'.repeat(300) },
      {},
    ];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (path.includes('stripe-webhook')) continue; // its raw-body signature check is tested separately
      for (const method of Object.keys(ops)) {
        const url = path.replace(/\{[^}]+\}/g, () => randomUUID());
        for (const body of method === 'get' || method === 'delete' ? [undefined] : junkBodies) {
          for (const query of ['', '?limit=-5&cursor=%%%&from=notadate']) {
            const res = await t.app.inject({
              method: method.toUpperCase() as 'GET',
              url: url + query,
              headers: {
                ...owner.headers,
                ...(typeof body === 'string' ? { 'content-type': 'application/json' } : {}),
              },
              ...(body !== undefined ? { payload: body } : {}),
            });
            if (res.statusCode >= 500)
              failures.push(
                `${method.toUpperCase()} ${path}${query} ${JSON.stringify(body)} → ${res.statusCode}`,
              );
          }
        }
      }
    }
    expect(failures).toEqual([]);
  }, 180_000);
});

interface Op {
  parameters?: Array<{ in: string; name: string; schema: JsonSchema }>;
  requestBody?: { content: Record<string, { schema?: JsonSchema }> };
}
const operations = () => {
  const doc = t.app.swagger() as { paths: Record<string, Record<string, Op>> };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops).map(([method, op]) => ({ path, method: method.toUpperCase() as 'GET', op })),
  );
};
/** The path with each parameter replaced by a real id of the fuzzed organisation. */
const realUrl = (path: string) =>
  path.replace(/\{([^}]+)\}/g, (_, name: string) => target.pool[kindOf(path, name)]?.[0] ?? randomUUID());
const cursorOf = (parts: unknown) => Buffer.from(JSON.stringify(parts)).toString('base64url');

describe('hand-made cursors', () => {
  // Each decodes to JSON of a shape or types that no endpoint writes.
  const forged = [
    [{}],
    [null],
    ['\u0000'],
    [-1.5],
    [[]],
    ['zzz', 'zzz'],
    ['zzz', 'zzz', 'zzz'],
    ['zzz', 'zzz', 'zzz', 'zzz'],
    [1e308, 1e308],
    ['9999-99-99T99:99:99', '00000000-0000-4000-8000-000000000000'],
    ['0000-01-01T00:00:00Z', '00000000-0000-4000-8000-000000000000'],
    [3, 'not a time', {}],
    { a: 1 },
  ];

  it('answer 400 invalid_cursor on every list endpoint', async () => {
    await target.refreshOwner(); // the junk sweep above logged the owner out
    const lists = operations().filter(({ op }) => op.parameters?.some((p) => p.name === 'cursor'));
    expect(lists.length).toBeGreaterThan(20);
    const wrong: string[] = [];
    for (const { path } of lists) {
      for (const parts of forged) {
        const res = await t.app.inject({
          method: 'GET',
          url: `${realUrl(path)}?cursor=${cursorOf(parts)}`,
          headers: target.credentials.owner,
        });
        if (res.statusCode !== 400 || res.json().code !== 'invalid_cursor')
          wrong.push(
            `GET ${path} cursor ${JSON.stringify(parts)} → ${res.statusCode} ${res.body.slice(0, 120)}`,
          );
      }
    }
    expect(wrong).toEqual([]);
  }, 120_000);
});

describe('dates outside 1900–2200', () => {
  const extremes = {
    date: ['0000-01-01', '9999-12-31', '1899-12-31'],
    'date-time': ['0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '2201-01-01T00:00:00Z'],
  };
  const isDate = (s?: JsonSchema) => s?.format === 'date' || s?.format === 'date-time';

  it('are a 400 naming the field, in every query and body of the document', async () => {
    await target.refreshOwner();
    const wrong: string[] = [];
    let probes = 0;
    for (const { path, method, op } of operations()) {
      const url = realUrl(path);
      for (const p of op.parameters ?? []) {
        if (p.in !== 'query' || !isDate(p.schema)) continue;
        for (const value of extremes[p.schema.format as 'date']) {
          probes++;
          const res = await t.app.inject({
            method,
            url: `${url}?${p.name}=${encodeURIComponent(value)}`,
            headers: target.credentials.owner,
          });
          const fields =
            res.statusCode === 400 ? res.json().errors?.map((e: { field: string }) => e.field) : [];
          if (!fields?.includes(`querystring:/${p.name}`))
            wrong.push(`${method} ${path}?${p.name}=${value} → ${res.statusCode}`);
        }
      }
      const body = op.requestBody?.content['application/json']?.schema;
      for (const [name, s] of Object.entries(body?.properties ?? {})) {
        if (!isDate(s)) continue;
        // Otherwise valid, so nothing but the date can be refused.
        const [valid] = fc.sample(schemaValue(body!, target.pool, VALID), { seed: 1, numRuns: 1 }) as Record<
          string,
          unknown
        >[];
        for (const value of extremes[s.format as 'date']) {
          probes++;
          const res = await t.app.inject({
            method,
            url,
            headers: target.credentials.owner,
            payload: { ...valid, [name]: value },
          });
          const fields =
            res.statusCode === 400 ? res.json().errors?.map((e: { field: string }) => e.field) : [];
          if (!fields?.includes(`body:/${name}`))
            wrong.push(`${method} ${path} {${name}: ${value}} → ${res.statusCode} ${res.body.slice(0, 150)}`);
        }
      }
    }
    expect(probes).toBeGreaterThan(30);
    expect(wrong).toEqual([]);
  }, 120_000);
});
