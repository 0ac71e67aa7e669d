-- Accounts are proven by their mailbox: a sign-up and a password reset each wait for a
-- single-use, expiring token sent by e-mail. Only the sha256 of a token is stored.

-- A sign-up waiting for its confirmation. Nothing about it shows whether the address already
-- has an account: the organisation (and, for a new address, the account) is created only when
-- the link is opened and the password entered.
CREATE TABLE control.signup_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  token_hash text NOT NULL UNIQUE,
  email text NOT NULL CHECK (length(email) BETWEEN 3 AND 254),
  -- scrypt hash of the password typed on the sign-up form: a new account gets it; confirming
  -- asks for it again, so nobody else's click activates a password an attacker chose.
  password_hash text NOT NULL,
  organization_name text NOT NULL,
  name text NOT NULL DEFAULT '',
  locale text NOT NULL,
  site_name text,
  catalogue_template text,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  confirmed_at timestamptz,
  organization_id uuid REFERENCES control.organizations (id) ON DELETE SET NULL
);
CREATE INDEX signup_requests_expires ON control.signup_requests (expires_at);

CREATE TABLE control.password_resets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES control.users (id) ON DELETE CASCADE,
  token_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  used_at timestamptz
);
CREATE INDEX password_resets_open ON control.password_resets (user_id) WHERE used_at IS NULL;
CREATE INDEX password_resets_expires ON control.password_resets (expires_at);

-- Failed-login counters, in PostgreSQL so throttling holds when Redis is down and across API
-- replicas. key is sha256 of 'account:<lower e-mail>' or 'address:<client address>': an address
-- without an account is counted exactly like one with, and no typed address is stored in clear.
CREATE TABLE control.login_throttle (
  key text PRIMARY KEY,
  failures integer NOT NULL CHECK (failures >= 0),
  last_failure_at timestamptz NOT NULL,
  -- No attempt is checked before this moment (exponential backoff, then the lock).
  next_attempt_at timestamptz NOT NULL
);
CREATE INDEX login_throttle_last_failure ON control.login_throttle (last_failure_at);
