-- Webhook signing secrets are kept sealed (AES-256-GCM, key from SECRETS_KEYS), never in plain
-- text. SQL has no access to the key, so the existing plain secrets are sealed by the worker's
-- housekeeping (and by `pnpm secrets:reseal` at once); until then the
-- worker still signs with the plain value. secret_hint keeps the last characters for display.
ALTER TABLE webhook_endpoints ADD COLUMN secret_sealed text;
ALTER TABLE webhook_endpoints ADD COLUMN secret_hint text NOT NULL DEFAULT '';
UPDATE webhook_endpoints SET secret_hint = right(secret, 4);
ALTER TABLE webhook_endpoints ALTER COLUMN secret_hint DROP DEFAULT;
ALTER TABLE webhook_endpoints ALTER COLUMN secret DROP NOT NULL;
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_secret_present
  CHECK (secret_sealed IS NOT NULL OR secret IS NOT NULL);
-- Only the re-sealing fills it; new rows arrive sealed.
CREATE INDEX webhook_endpoints_plain_secret ON webhook_endpoints (id) WHERE secret IS NOT NULL;
