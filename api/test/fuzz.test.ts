import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FuzzTarget, seedFuzzTarget } from '../../infra/fuzz/fuzz-fixtures.ts';
import { contractViolation, describeFailure, runFuzz, summarise } from '../../infra/fuzz/fuzz-run.ts';
import { type OpenApiDocument, requestsFrom } from '../../infra/fuzz/openapi-requests.ts';
import { PASSWORD, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * Property: for any request derived from the OpenAPI document — valid-shaped or mutated, as an
 * owner, a site-limited API key, nobody or a forged token — the API never answers 5xx, and every
 * 4xx is an RFC 9457 problem. A fixed seed keeps the run reproducible; `pnpm fuzz` runs more.
 */
const SEED = 20_240_801;
const COUNT = Number(process.env.FUZZ_TEST_COUNT ?? 2_000);
const doc = JSON.parse(
  readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'),
) as OpenApiDocument;

let t: TestApp;
let target: FuzzTarget;
beforeAll(async () => {
  t = await startTestApp();
  const owner = await signUp(t);
  target = await seedFuzzTarget(t.app, { email: owner.email, password: PASSWORD, headers: owner.headers });
});
afterAll(async () => t?.close());

describe('OpenAPI-driven fuzzing (fast-check)', () => {
  it('derives requests for every operation of the document', () => {
    const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`),
    );
    const seen = new Set(
      fc
        .sample(requestsFrom(doc, target.pool), { seed: SEED, numRuns: 10 * operations.length })
        .map((r) => r.operation),
    );
    expect(operations.filter((o) => !seen.has(o))).toEqual([]);
  });

  it('the contract check itself refuses a 5xx and a 4xx that is not a problem', () => {
    expect(contractViolation({ statusCode: 500, headers: {}, body: '' })).toMatch(/server error/);
    expect(
      contractViolation({ statusCode: 414, headers: { 'content-type': 'application/json' }, body: '{}' }),
    ).toMatch(/content-type/);
    expect(
      contractViolation({
        statusCode: 400,
        headers: { 'content-type': 'application/problem+json' },
        body: '{"type":"t","title":"x","status":400}',
      }),
    ).toMatch(/code/);
  });

  it(`${COUNT} generated requests: no 5xx, every 4xx a problem with type, title, status and code`, async () => {
    const report = await runFuzz(t.app, doc, target, { seed: SEED, count: COUNT, concurrency: 4 });
    console.log(summarise(report));
    expect(report.requests).toBe(COUNT);
    // Enough of the requests reach handlers (2xx) and enough are refused (4xx) to mean something.
    const ok = Object.entries(report.byStatus)
      .filter(([s]) => s.startsWith('2'))
      .reduce((n, [, c]) => n + c, 0);
    expect(ok).toBeGreaterThan(COUNT * 0.05);
    expect(report.failures.map(describeFailure)).toEqual([]);
  }, 240_000);
});
