-- Notifications (issue 11): the in-app bell's read marker per user, the organisation's
-- notification settings (daily digest, quiet hours, robot language), WeCom / DingTalk group-robot
-- channels with the messages sent through them, and the digests sent (one per user and local day).

-- Per user: the newest alert_feed entry they have seen (the bell counts the entries after it) and
-- whether they want the e-mail digest at all.
CREATE TABLE user_notification_state (
  user_id uuid PRIMARY KEY,
  last_read_feed_id bigint NOT NULL DEFAULT 0,
  read_at timestamptz,
  digest_enabled boolean NOT NULL DEFAULT true
);

-- One row: the organisation's settings. Times are the organisation's local time of day.
CREATE TABLE notification_settings (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  digest_enabled boolean NOT NULL DEFAULT true,
  -- The local hour after which the day's digest goes out (deferred past quiet hours).
  digest_hour smallint NOT NULL DEFAULT 8 CHECK (digest_hour BETWEEN 0 AND 23),
  digest_roles text[] NOT NULL DEFAULT '{owner,admin,purchaser,storekeeper}',
  expiry_days integer NOT NULL DEFAULT 30 CHECK (expiry_days BETWEEN 1 AND 365),
  -- Both null: no quiet hours. A window may wrap midnight (22:00 → 07:00).
  quiet_start time,
  quiet_end time,
  -- Robots only carry critical alerts; true lets them through during quiet hours.
  critical_in_quiet_hours boolean NOT NULL DEFAULT true,
  robot_language text NOT NULL DEFAULT 'zh-CN' CHECK (robot_language IN ('zh-CN', 'en', 'both')),
  updated_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK ((quiet_start IS NULL) = (quiet_end IS NULL))
);
INSERT INTO notification_settings DEFAULT VALUES;

-- Group robots. The webhook URL carries the robot's key (WeCom `key`, DingTalk `access_token`),
-- so it is sealed like the signing secret (AES-256-GCM under SECRETS_KEYS); hints are for display.
CREATE TABLE robot_channels (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('wecom', 'dingtalk')),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  url_sealed text NOT NULL,
  url_hint text NOT NULL,
  -- DingTalk's optional signing secret ("加签"); never for WeCom.
  secret_sealed text,
  secret_hint text,
  active boolean NOT NULL DEFAULT true,
  -- The last alert_feed entry this channel has looked at; a new channel starts at the newest.
  feed_cursor bigint NOT NULL DEFAULT 0,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (kind = 'dingtalk' OR secret_sealed IS NULL)
);
CREATE INDEX robot_channels_created ON robot_channels (created_at, id);

-- One message per channel and alert_feed entry (a critical alert opened, escalated or reopened),
-- retried with backoff by the worker's notification job.
CREATE TABLE robot_messages (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  channel_id uuid NOT NULL REFERENCES robot_channels (id) ON DELETE CASCADE,
  alert_id uuid NOT NULL REFERENCES alerts (id),
  feed_id bigint NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  last_status_code integer,
  last_error text,
  next_attempt_at timestamptz NOT NULL DEFAULT now(),
  created_at timestamptz NOT NULL DEFAULT now(),
  sent_at timestamptz,
  UNIQUE (channel_id, feed_id)
);
CREATE INDEX robot_messages_pending ON robot_messages (next_attempt_at) WHERE status = 'pending';
CREATE INDEX robot_messages_channel ON robot_messages (channel_id, created_at DESC);

-- The digest of a local day, once per user (the job runs every minute; this row makes it once).
CREATE TABLE digest_sends (
  user_id uuid NOT NULL,
  local_date date NOT NULL,
  -- False when there was nothing to tell (no mail sent).
  mailed boolean NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (user_id, local_date)
);
