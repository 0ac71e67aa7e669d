-- Control plane: organisations (tenants), users, memberships, API keys, sessions, audit log,
-- idempotency records. It is the only schema that names itself; tenant migrations never do.
CREATE TABLE control.organizations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  status text NOT NULL DEFAULT 'provisioning' CHECK (status IN ('provisioning', 'active', 'failed', 'suspended')),
  plan text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'clinic', 'chain')),
  deployment_mode text NOT NULL DEFAULT 'saas' CHECK (deployment_mode IN ('saas', 'private-cloud', 'on-premises')),
  catalogue_template text,
  locale text NOT NULL DEFAULT 'zh-CN',
  timezone text NOT NULL DEFAULT 'Asia/Shanghai',
  stripe_customer_id text UNIQUE,
  stripe_subscription_id text,
  last_housekeeping_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  activated_at timestamptz
);

CREATE TABLE control.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email text NOT NULL,
  name text NOT NULL DEFAULT '',
  password_hash text NOT NULL,
  locale text NOT NULL DEFAULT 'zh-CN',
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX users_email_lower ON control.users (lower(email));

CREATE TABLE control.memberships (
  organization_id uuid NOT NULL REFERENCES control.organizations (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES control.users (id) ON DELETE CASCADE,
  role text NOT NULL CHECK (role IN ('owner', 'admin', 'purchaser', 'storekeeper', 'nurse', 'viewer')),
  -- NULL means every site; otherwise the user sees and changes only these sites.
  site_ids uuid[],
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user ON control.memberships (user_id);

CREATE TABLE control.sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL REFERENCES control.users (id) ON DELETE CASCADE,
  organization_id uuid NOT NULL REFERENCES control.organizations (id) ON DELETE CASCADE,
  -- sha256 of the current refresh token; rotated on every refresh.
  refresh_token_hash text NOT NULL UNIQUE,
  previous_refresh_token_hash text,
  user_agent text,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_refreshed_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz
);
CREATE INDEX sessions_user ON control.sessions (user_id);

CREATE TABLE control.api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  organization_id uuid NOT NULL REFERENCES control.organizations (id) ON DELETE CASCADE,
  name text NOT NULL,
  -- The public, recognisable part ("msk_live_" + 12 chars) is looked up; the secret is hashed.
  prefix text NOT NULL UNIQUE,
  secret_hash text NOT NULL,
  scopes text[] NOT NULL,
  site_ids uuid[],
  created_by uuid REFERENCES control.users (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_org ON control.api_keys (organization_id, created_at DESC, id DESC);

CREATE TABLE control.audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  organization_id uuid REFERENCES control.organizations (id) ON DELETE CASCADE,
  actor_type text NOT NULL CHECK (actor_type IN ('user', 'api_key', 'anonymous', 'system')),
  actor_id uuid,
  action text NOT NULL,
  method text NOT NULL,
  path text NOT NULL,
  status_code integer NOT NULL,
  request_id text NOT NULL,
  ip text,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_org ON control.audit_log (organization_id, id DESC);

CREATE TABLE control.idempotency_keys (
  scope text NOT NULL,
  key text NOT NULL,
  method text NOT NULL,
  path text NOT NULL,
  body_hash text NOT NULL,
  state text NOT NULL DEFAULT 'in_progress' CHECK (state IN ('in_progress', 'done')),
  status_code integer,
  response_headers jsonb,
  response_body text,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created ON control.idempotency_keys (created_at);
