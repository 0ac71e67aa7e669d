import type pg from 'pg';
import type { IdempotencyClaim } from './idempotency-context.ts';

/**
 * control.idempotency_keys: one row per (principal scope, key). Its life:
 *   in_progress  claimed by a running request (claim_token proves which one)
 *   committed    the request's change committed (marked in the same transaction as the change)
 *   done         the response is known: stored, or withheld because it carried a credential
 * A row in_progress for longer than the TTL belongs to a request that died before committing:
 * a retry takes it over and runs afresh. A row committed for longer than the TTL lost its
 * response: a retry is told so, never applied again.
 */
export interface IdempotencyRequest {
  scope: string;
  key: string;
  organizationId: string;
  method: string;
  path: string;
  bodyHash: string;
  inProgressTtlSeconds: number;
}

export type IdempotencyDecision =
  | { kind: 'claimed'; claim: IdempotencyClaim }
  | { kind: 'replay'; statusCode: number; headers: Record<string, string>; body: string }
  | { kind: 'withheld'; statusCode: number; resourceId: string | null }
  | { kind: 'applied_response_lost'; committedAt: string }
  | { kind: 'in_progress' }
  | { kind: 'key_reused' };

type Row = {
  body_hash: string;
  state: 'in_progress' | 'committed' | 'done';
  claim_token: string;
  stale: boolean;
  status_code: number | null;
  response_headers: Record<string, string> | null;
  response_body: string | null;
  response_withheld: boolean;
  resource_id: string | null;
  committed_at: string | null;
};

/** Claims the key for this request, or says what a retry gets instead. */
export async function claimIdempotencyKey(
  pool: pg.Pool,
  r: IdempotencyRequest,
): Promise<IdempotencyDecision> {
  // A few rounds cover a row released or taken over between our statements.
  for (let round = 0; round < 5; round++) {
    const inserted = await pool.query<{ claim_token: string }>(
      `insert into control.idempotency_keys (scope, key, organization_id, method, path, body_hash)
       values ($1, $2, $3, $4, $5, $6) on conflict do nothing returning claim_token`,
      [r.scope, r.key, r.organizationId, r.method, r.path, r.bodyHash],
    );
    if (inserted.rows[0]) return { kind: 'claimed', claim: claimOf(r, inserted.rows[0].claim_token) };
    const { rows } = await pool.query<Row>(
      `select body_hash, state, claim_token, status_code, response_headers, response_body, response_withheld,
              resource_id, to_char(committed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as committed_at,
              coalesce(committed_at, claimed_at) < now() - make_interval(secs => $3) as stale
         from control.idempotency_keys where scope = $1 and key = $2`,
      [r.scope, r.key, r.inProgressTtlSeconds],
    );
    const prior = rows[0];
    if (!prior) continue;
    if (prior.body_hash !== r.bodyHash) return { kind: 'key_reused' };
    if (prior.state === 'done') {
      if (prior.response_withheld)
        return { kind: 'withheld', statusCode: prior.status_code ?? 200, resourceId: prior.resource_id };
      if (prior.response_body === null)
        return { kind: 'applied_response_lost', committedAt: prior.committed_at ?? '' };
      return {
        kind: 'replay',
        statusCode: prior.status_code ?? 200,
        headers: prior.response_headers ?? {},
        body: prior.response_body,
      };
    }
    if (!prior.stale) return { kind: 'in_progress' };
    if (prior.state === 'committed')
      return { kind: 'applied_response_lost', committedAt: prior.committed_at ?? '' };
    // in_progress past the TTL: its request died before committing. Take it over; if the old
    // request is in fact alive, its commit mark now fails and its transaction rolls back. The
    // update waits for a transaction marking the row right now and then sees `committed`.
    const taken = await pool.query<{ claim_token: string }>(
      `update control.idempotency_keys set claim_token = gen_random_uuid(), claimed_at = now()
        where scope = $1 and key = $2 and state = 'in_progress' and claim_token = $3::uuid
       returning claim_token`,
      [r.scope, r.key, prior.claim_token],
    );
    if (taken.rows[0]) return { kind: 'claimed', claim: claimOf(r, taken.rows[0].claim_token) };
  }
  return { kind: 'in_progress' };
}

const claimOf = (r: IdempotencyRequest, token: string): IdempotencyClaim => ({
  scope: r.scope,
  key: r.key,
  token,
});

/**
 * Records the outcome once the response is known. A response that carries a credential is
 * never stored (`withheld`: only its status and the resource id). A 5xx before any commit
 * releases the key, so the client may retry; a 5xx after a commit keeps the row with no
 * response, and a retry is told the change was applied.
 */
export async function settleIdempotencyKey(
  pool: pg.Pool,
  claim: IdempotencyClaim,
  outcome: {
    statusCode: number;
    headers: Record<string, string>;
    body: string;
    withhold: boolean;
    resourceId: string | null;
  },
): Promise<void> {
  if (outcome.statusCode >= 500) {
    const released = await pool.query(
      `delete from control.idempotency_keys where scope = $1 and key = $2 and claim_token = $3::uuid and state = 'in_progress'`,
      [claim.scope, claim.key, claim.token],
    );
    if (released.rowCount) return;
    await pool.query(
      `update control.idempotency_keys set state = 'done', status_code = $4, response_body = null
        where scope = $1 and key = $2 and claim_token = $3::uuid`,
      [claim.scope, claim.key, claim.token, outcome.statusCode],
    );
    return;
  }
  await pool.query(
    `update control.idempotency_keys
        set state = 'done', status_code = $4, response_headers = $5, response_body = $6,
            response_withheld = $7, resource_id = $8
      where scope = $1 and key = $2 and claim_token = $3::uuid`,
    [
      claim.scope,
      claim.key,
      claim.token,
      outcome.statusCode,
      outcome.withhold ? null : outcome.headers,
      outcome.withhold ? null : outcome.body,
      outcome.withhold,
      outcome.resourceId,
    ],
  );
}

/** Drops every record older than the retention, whoever the caller was. Returns how many. */
export async function expireIdempotencyKeys(pool: pg.Pool, retentionHours: number): Promise<number> {
  const r = await pool.query(
    `delete from control.idempotency_keys where created_at < now() - make_interval(hours => $1)`,
    [retentionHours],
  );
  return r.rowCount ?? 0;
}
