-- Invitations: the only way a person joins an organisation they did not create. An admin never
-- sets another person's password; the invitee proves they own the address by the e-mailed token
-- and either sets a password (new account) or signs in (existing account).
CREATE TABLE control.invitations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES control.organizations (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'purchaser', 'storekeeper', 'nurse', 'viewer')),
  -- NULL means every site, as in memberships.
  site_ids uuid[],
  -- Who invited: a member or an API key (the other is NULL).
  invited_by uuid REFERENCES control.users (id) ON DELETE SET NULL,
  invited_by_api_key uuid REFERENCES control.api_keys (id) ON DELETE SET NULL,
  -- sha256 of the single-use token in the e-mailed link; a resend replaces it.
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_sent_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  accepted_at timestamptz,
  accepted_by uuid REFERENCES control.users (id) ON DELETE SET NULL,
  revoked_at timestamptz
);
-- At most one open invitation per address and organisation (an expired one is closed on re-invite).
CREATE UNIQUE INDEX invitations_open_email ON control.invitations (organization_id, lower(email))
  WHERE accepted_at IS NULL AND revoked_at IS NULL;
CREATE INDEX invitations_org ON control.invitations (organization_id, created_at DESC, id DESC);
