-- Tenant lifecycle (export, import, erasure). An organisation asked to be erased first waits out a
-- grace period: it can no longer sign in and the API answers with a problem, but nothing is lost
-- until the period ends (an operator can still cancel). Then its schema and control rows go.
ALTER TABLE control.organizations DROP CONSTRAINT organizations_status_check;
ALTER TABLE control.organizations ADD CONSTRAINT organizations_status_check
  CHECK (status IN ('provisioning', 'active', 'failed', 'suspended', 'pending_deletion'));
ALTER TABLE control.organizations
  ADD COLUMN deletion_requested_at timestamptz,
  -- The operator (or process) that asked, as given to `pnpm tenant delete --by`; not a person's
  -- account, which the erasure removes.
  ADD COLUMN deletion_requested_by text,
  -- Erasure is allowed from this moment on (deletion_requested_at + the grace period).
  ADD COLUMN deletion_due_at timestamptz,
  ADD CONSTRAINT organizations_deletion_dates CHECK ((status = 'pending_deletion') = (deletion_due_at IS NOT NULL));

-- What stays once an organisation is erased: who asked, who erased, when, and how much was
-- removed. No personal data: no names, e-mail addresses or organisation name, only the id (so an
-- auditor can match it to an earlier export or contract) and counts. No foreign key: the
-- organisation row is gone by design.
CREATE TABLE control.tenant_erasures (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id uuid NOT NULL,
  schema_name text NOT NULL,
  requested_at timestamptz NOT NULL,
  requested_by text NOT NULL,
  erased_at timestamptz NOT NULL DEFAULT now(),
  erased_by text NOT NULL,
  -- Erased before the grace period ended (`pnpm tenant delete --now`).
  immediate boolean NOT NULL,
  -- { "tenant": { "<table>": rows }, "control": { "<table>": rows } } as they were at erasure.
  removed jsonb NOT NULL
);
CREATE INDEX tenant_erasures_org ON control.tenant_erasures (organization_id);
