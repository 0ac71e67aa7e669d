import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isItemCode } from '@medstock/core';
import { withTenantDb } from '@medstock/db';
import { JOB_REGISTRY, type RunningWorker, startWorker } from '@medstock/worker';
import type { JobDefinition } from '@medstock/worker/jobs/job-context.ts';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';
import { waitFor } from './support/wait-for.ts';

/**
 * Issue 12 point 7: one item-code rule (core isItemCode). Codes the API refuses, which the items
 * importer used to accept (it only checked the length), are now refused by the importer too.
 */
let t: TestApp;
let org: SignedUp;
let running: RunningWorker;
let uploadDir: string;

const noop: JobDefinition = { description: 'not under test here', handle: async () => ({}) };
const REFUSED = ['GAUZE 10CM', '-LEADING', '纱布', 'A&B'];

beforeAll(async () => {
  uploadDir = mkdtempSync(join(tmpdir(), 'medstock-item-code-'));
  t = await startTestApp({ UPLOAD_DIR: uploadDir });
  org = await signUp(t);
  running = await startWorker(t.config, {
    registry: { ...JOB_REGISTRY, recalculate: noop, 'recalculate-drain': noop, housekeeping: noop },
  });
});
afterAll(async () => {
  await running?.close();
  await t?.close();
  rmSync(uploadDir, { recursive: true, force: true });
});

describe('one item-code rule for the API and the importer', () => {
  it('the API refuses these codes and so does an items import, line by line', async () => {
    for (const code of REFUSED) {
      expect(isItemCode(code), code).toBe(false);
      const r = await t.app.inject({
        method: 'POST',
        url: '/v1/items',
        headers: org.headers,
        payload: { code, nameZh: '纱布', nameEn: 'Gauze', baseUnit: { code: 'piece' } },
      });
      expect(r.statusCode, `${code}: ${r.body}`).toBe(400);
      expect(r.json().errors.map((e: { field: string }) => e.field)).toEqual(['body:/code']);
    }
    const ok = await t.app.inject({
      method: 'POST',
      url: '/v1/items',
      headers: org.headers,
      payload: { code: 'GAUZE-10CM/B.1', nameZh: '纱布', nameEn: 'Gauze', baseUnit: { code: 'piece' } },
    });
    expect(ok.statusCode, ok.body).toBe(201);

    const csv = `code,name_zh,base_unit\nGOOD_1,好,piece\n${REFUSED.map((c) => `${c},纱布,piece`).join('\n')}\n`;
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/imports?kind=items',
      headers: { ...org.headers, 'content-type': 'text/csv' },
      payload: csv,
    });
    expect(res.statusCode, res.body).toBe(202);
    const job = await waitFor(async () => {
      const j = (
        await t.app.inject({ method: 'GET', url: `/v1/imports/${res.json().id}`, headers: org.headers })
      ).json();
      return j.status === 'succeeded' || j.status === 'failed' ? (j as Record<string, any>) : null;
    });
    expect(job.status).toBe('failed');
    expect(
      job.errors.map(({ line, field, code }: Record<string, unknown>) => ({ line, field, code })),
    ).toEqual(REFUSED.map((_, i) => ({ line: i + 3, field: 'code', code: 'not_item_code' })));
    expect(job.errors[0].reason).toBe(
      "'GAUZE 10CM' is not an item code: 1-60 letters, digits and _ . - /, starting with a letter or digit",
    );
    const items = await withTenantDb(t.deps.database.db, org, async (tx) =>
      (await tx.execute<{ code: string }>(sql`select code from items order by code`)).rows.map((r) => r.code),
    );
    expect(items).toEqual(['GAUZE-10CM/B.1']);
  });
});
