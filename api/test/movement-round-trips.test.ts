import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countPoolStatements } from './support/count-statements.ts';
import { centralStore, insertItem } from './support/fixtures.ts';
import { type SignedUp, signUp, startTestApp, type TestApp } from './support/test-app.ts';

let t: TestApp;
let owner: SignedUp;
let loc: string;
let counter: ReturnType<typeof countPoolStatements>;
let probe: pg.Client;

beforeAll(async () => {
  t = await startTestApp();
  owner = await signUp(t);
  ({ locationId: loc } = await centralStore(t, owner.headers));
  counter = countPoolStatements(t.deps.database.pool);
  // The test's own look-ups go over a connection of their own, outside the count.
  probe = new pg.Client({ connectionString: t.databaseUrl });
  await probe.connect();
});
afterAll(async () => {
  await probe?.end();
  await t?.close();
});

/** The audit entry (and its sites) are written after the response: wait for them before counting. */
async function auditWritten(requestId: string) {
  for (let i = 0; i < 200; i++) {
    const { rows } = await probe.query(
      `select 1 from control.audit_log a
        where a.request_id = $1
          and exists (select 1 from "tenant_${owner.organizationId.replaceAll('-', '')}".audit_entry_sites s where s.audit_id = a.id)`,
      [requestId],
    );
    if (rows.length) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('audit entry not written');
}

async function statementsOf(payload: Record<string, unknown>, headers: Record<string, string> = {}) {
  counter.start();
  const r = await t.app.inject({
    method: 'POST',
    url: '/v1/movements',
    headers: { ...owner.headers, ...headers },
    payload: { locationId: loc, ...payload },
  });
  expect(r.statusCode, r.body).toBe(201);
  await auditWritten(String(r.headers['x-request-id']));
  return counter.stop();
}

describe('PostgreSQL round trips of a movement POST', () => {
  it('a simple issue (first expiry first out over two lots) takes a fixed, small number of statements', async () => {
    const item = await insertItem(t, owner.organizationId, { code: 'RT-1' });
    for (const [lot, expiry] of [
      ['A', '2090-01-31'],
      ['B', '2091-01-31'],
    ] as const)
      await statementsOf({ type: 'receipt', itemId: item, quantity: 5, lotNumber: lot, expiryDate: expiry });
    const statements = await statementsOf({ type: 'issue', itemId: item, quantity: 1 });
    // Issue 10 measured 22 (auth 1, the transaction 16, the audit entry 5): the item and the
    // locations were read twice, BEGIN and the search_path were two statements, so were the lock
    // and the first-expiry read, the decrement, the ledger row and the outbox mark, the event and
    // its deliveries; the response was read back, the audit entry's sites took a transaction of
    // their own. Now: auth, begin + search_path, context with the lock and first-expiry read, take +
    // ledger rows + outbox mark, event + deliveries, commit, audit entry with its sites.
    expect(statements, statements.join('\n')).toHaveLength(7);
  });

  it('with an Idempotency-Key, three more: the claim, the commit mark (in the transaction) and the stored response', async () => {
    const item = await insertItem(t, owner.organizationId, { code: 'RT-2' });
    await statementsOf({
      type: 'receipt',
      itemId: item,
      quantity: 5,
      lotNumber: 'A',
      expiryDate: '2090-01-31',
    });
    const statements = await statementsOf(
      { type: 'issue', itemId: item, quantity: 1 },
      { 'idempotency-key': `rt-${item}` },
    );
    expect(statements, statements.join('\n')).toHaveLength(10);
  });
});
