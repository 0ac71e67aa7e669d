-- Revoking a key is a destructive act the audit must explain: who revoked it and why, beside when.
ALTER TABLE control.api_keys ADD COLUMN revoked_by uuid REFERENCES control.users (id) ON DELETE SET NULL;
ALTER TABLE control.api_keys ADD COLUMN revoke_reason text CHECK (length(revoke_reason) <= 500);
