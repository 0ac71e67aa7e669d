-- Idempotency records: only for authenticated principals, never holding a credential, marked
-- committed in the transaction of the change they guard, recoverable after a crash, and
-- expired by age for every caller (see db/src/idempotency/idempotency-store.ts).

-- Records of anonymous callers (scoped by a client address anyone could forge) and stored
-- responses that carry credentials (tokens, API keys, webhook signing secrets) are dropped.
DELETE FROM control.idempotency_keys
 WHERE scope NOT LIKE 'user:%' AND scope NOT LIKE 'key:%'
    OR path LIKE '/v1/auth/%'
    OR response_body ~ '(msk_[a-z0-9]{12}_|whsec_|"(accessToken|refreshToken|secret|key|token)"\s*:)';

ALTER TABLE control.idempotency_keys DROP CONSTRAINT idempotency_keys_state_check;
ALTER TABLE control.idempotency_keys ADD CONSTRAINT idempotency_keys_state_check
  CHECK (state IN ('in_progress', 'committed', 'done'));

ALTER TABLE control.idempotency_keys ADD COLUMN organization_id uuid;
-- Who holds the claim: a retry that takes over a dead request's key gets a new token, and the
-- old request's commit mark (which checks its token) then fails instead of applying twice.
ALTER TABLE control.idempotency_keys ADD COLUMN claim_token uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE control.idempotency_keys ADD COLUMN claimed_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE control.idempotency_keys ADD COLUMN committed_at timestamptz;
-- A response that carried a credential is never stored: a replay is answered with a problem.
ALTER TABLE control.idempotency_keys ADD COLUMN response_withheld boolean NOT NULL DEFAULT false;
ALTER TABLE control.idempotency_keys ADD COLUMN resource_id text;
ALTER TABLE control.idempotency_keys ADD CONSTRAINT idempotency_keys_withheld_not_stored
  CHECK (NOT response_withheld OR response_body IS NULL);

UPDATE control.idempotency_keys SET claimed_at = created_at,
       committed_at = CASE WHEN state = 'done' THEN created_at END;
UPDATE control.idempotency_keys SET organization_id = split_part(scope, ':', 2)::uuid
 WHERE scope ~ '^user:[0-9a-f-]{36}:';
UPDATE control.idempotency_keys i SET organization_id = k.organization_id
  FROM control.api_keys k WHERE i.scope = 'key:' || k.id::text;

CREATE INDEX idempotency_keys_organization ON control.idempotency_keys (organization_id);
