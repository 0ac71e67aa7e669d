import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { Tx } from '../pool.ts';

/** The Idempotency-Key a request holds while it runs: its row and the token that proves ownership. */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  token: string;
}

const requestClaim = new AsyncLocalStorage<IdempotencyClaim>();

/**
 * Runs the rest of a request with its claim in context, so that every transaction it opens
 * (withTenantDb, or a control-plane transaction that calls markIdempotentCommitOnClient) marks
 * the record committed together with the change: services get crash safety without passing
 * the key around.
 */
export function runWithIdempotencyClaim<T>(claim: IdempotencyClaim, fn: () => T): T {
  return requestClaim.run(claim, fn);
}

export const currentIdempotencyClaim = (): IdempotencyClaim | undefined => requestClaim.getStore();

/** The request's claim was taken over by a retry after IDEMPOTENCY_IN_PROGRESS_TTL_SECONDS: do not apply twice. */
export class IdempotencyClaimLostError extends Error {
  readonly code = 'idempotency_superseded';
  readonly status = 409;
  constructor() {
    super(
      'This request ran longer than the idempotency timeout and a retry with the same Idempotency-Key took over; nothing was changed by it.',
    );
  }
}

// A transaction that wrote anything has a transaction id; one that only read has none, and must
// not mark the record committed (a crash after it changed nothing).
const WROTE = 'select txid_current_if_assigned() is not null as wrote';

// Only the current owner may mark; the row lock taken here makes a concurrent takeover wait for
// this transaction's outcome and then see `committed`.
const markQuery = (claim: IdempotencyClaim, onlyIfWrote = false) => sql`
  update control.idempotency_keys
     set state = case when state = 'in_progress' then 'committed' else state end,
         committed_at = coalesce(committed_at, now())
   where scope = ${claim.scope} and key = ${claim.key} and claim_token = ${claim.token}::uuid
     ${onlyIfWrote ? sql`and txid_current_if_assigned() is not null` : sql``}`;

const dialect = new PgDialect();

/** Call last inside a transaction (withTenantDb does): marks the request's record committed if it wrote. */
export async function markIdempotentCommit(tx: Tx): Promise<void> {
  const claim = currentIdempotencyClaim();
  if (!claim) return;
  // One round trip: mark only if the transaction wrote. Nothing marked although it wrote means
  // the claim was taken over. (When the update does mark, it is the transaction's write anyway.)
  const r = await tx.execute<{ wrote: boolean; marked: number }>(sql`
    with m as (${markQuery(claim, true)} returning 1)
    select txid_current_if_assigned() is not null as wrote, (select count(*)::int from m) as marked`);
  const { wrote, marked } = r.rows[0]!;
  if (wrote && !marked) throw new IdempotencyClaimLostError();
}

/** The same for a transaction on a plain pg client (control-plane changes). */
export async function markIdempotentCommitOnClient(client: pg.ClientBase): Promise<void> {
  const claim = currentIdempotencyClaim();
  if (!claim) return;
  const wrote = await client.query<{ wrote: boolean }>(WROTE);
  if (!wrote.rows[0]?.wrote) return;
  const q = dialect.sqlToQuery(markQuery(claim));
  const marked = await client.query(q.sql, q.params);
  if (!marked.rowCount) throw new IdempotencyClaimLostError();
}
