import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

/**
 * A PostgreSQL error carries the request's values (`detail`: `Key (code)=(…) already exists`,
 * messages quoting the input, Drizzle's parameter list): the API log keeps SQLSTATE, constraint
 * and table only. The app's real logger writes into `lines`.
 */
const lines: string[] = [];
let t: TestApp;
let owner: SignedUp;
beforeAll(async () => {
  t = await startTestApp(
    { LOG_LEVEL: 'info' },
    { logStream: { write: (line: string) => void lines.push(line) } },
  );
  owner = await signUp(t);
});
afterAll(async () => t?.close());

const distinctive = () => `LEAK${randomBytes(6).toString('hex')}`;
const entriesFor = (requestId: string) =>
  lines.map((l) => JSON.parse(l) as Record<string, any>).filter((e) => e.reqId === requestId);

describe('database errors in the log', () => {
  it('a unique-key conflict answers 409 and logs which constraint refused it, never the value', async () => {
    const code = distinctive();
    const first = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: owner.headers,
      payload: { code, name: 'first' },
    });
    expect(first.statusCode).toBe(201);
    const dup = await t.app.inject({
      method: 'POST',
      url: '/v1/sites',
      headers: owner.headers,
      payload: { code, name: 'second' },
    });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toMatchObject({ code: 'conflict', status: 409 });

    const logged = entriesFor(String(dup.headers['x-request-id'])).find(
      (e) => e.msg === 'database refused the change',
    );
    expect(logged?.err?.database).toMatchObject({ code: '23505', constraint: expect.any(String) });
    expect(lines.join('\n')).not.toContain(code);
  });

  it('an error from a query keeps SQLSTATE and drops the message, the parameters and the detail', async () => {
    const value = distinctive();
    const err = await t.deps.database.db.execute(sql`select ${value}::uuid`).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    // What the error object itself carries: the value, in the message and parameters.
    expect(
      `${(err as Error).message} ${String((err as Error & { cause?: Error }).cause?.message)}`,
    ).toContain(value);
    const before = lines.length;
    t.app.log.error({ err }, 'query failed');
    const written = lines.slice(before).join('\n');
    expect(written).toContain('22P02');
    expect(written).not.toContain(value);
  });
});
