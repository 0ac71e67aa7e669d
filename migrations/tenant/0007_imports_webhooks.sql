-- Bulk import and webhook delivery as the API and worker use them (tables in 0004).

-- The sites the submitter could see when the file was uploaded (null: every site). The job
-- resolves location codes only within them, so a site-limited user cannot write elsewhere.
ALTER TABLE import_jobs ADD COLUMN site_ids uuid[];
-- The uploaded file: its size drives the validation progress (bytes read / size).
ALTER TABLE import_jobs ADD COLUMN file_size bigint NOT NULL DEFAULT 0;
ALTER TABLE import_jobs ADD COLUMN content_type text;
-- Overall percent: validation is the first half, applying the second.
ALTER TABLE import_jobs ADD COLUMN progress numeric(5, 2) NOT NULL DEFAULT 0 CHECK (progress BETWEEN 0 AND 100);
-- What applying did (created/updated counts per record kind), for the import's result page.
ALTER TABLE import_jobs ADD COLUMN summary jsonb NOT NULL DEFAULT '{}';
CREATE INDEX import_jobs_created ON import_jobs (created_at DESC, id DESC);

-- Imported history remembers its import. No index and no foreign key: either would be checked
-- or maintained per row and slow the COPY of a million rows; the column is for tracing.
ALTER TABLE movements ADD COLUMN import_id uuid;

ALTER TABLE webhook_endpoints ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
ALTER TABLE webhook_endpoints ADD COLUMN secret_rotated_at timestamptz;
CREATE INDEX webhook_endpoints_created ON webhook_endpoints (created_at, id);

ALTER TABLE webhook_deliveries ADD COLUMN last_attempt_at timestamptz;
-- A lease taken by the worker sending an attempt: a duplicate job (sweeper, redelivery) finding
-- it held skips, so one delivery is never sent twice at the same moment.
ALTER TABLE webhook_deliveries ADD COLUMN claimed_until timestamptz;
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);

-- Every attempt of a delivery, for the delivery log: what the receiver answered and when.
CREATE TABLE webhook_delivery_attempts (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id uuid NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  attempt integer NOT NULL CHECK (attempt >= 1),
  status_code integer,
  error text,
  duration_ms integer NOT NULL DEFAULT 0,
  attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_delivery_attempts_delivery ON webhook_delivery_attempts (delivery_id, attempt);
