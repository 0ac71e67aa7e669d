-- The early-warning engine: computed policies per item-location, alerts with their lifecycle,
-- versioned rule sets, recalculation runs (for restart safety), anomalies for review, backtests.
CREATE TABLE rule_sets (
  version integer PRIMARY KEY,
  rules jsonb NOT NULL,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE item_location_policies (
  item_id uuid NOT NULL REFERENCES items (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  computed_at timestamptz NOT NULL DEFAULT now(),
  run_id uuid,
  demand_class text NOT NULL,
  model text NOT NULL,
  model_score numeric,
  -- When the model was last chosen by backtest; recalculations refit it until it is a week old.
  model_chosen_at timestamptz,
  daily_mean numeric NOT NULL,
  daily_sd numeric NOT NULL,
  lead_time_mean numeric NOT NULL,
  lead_time_sd numeric NOT NULL,
  lead_time_source text NOT NULL,
  service_level numeric NOT NULL,
  safety_stock numeric NOT NULL,
  reorder_point numeric NOT NULL,
  order_up_to numeric NOT NULL,
  eoq numeric,
  on_hand bigint NOT NULL,
  in_transit bigint NOT NULL,
  position bigint NOT NULL,
  days_cover numeric,
  stockout_probability numeric NOT NULL,
  expiry_risk_qty bigint NOT NULL DEFAULT 0,
  expiry_risk_value numeric NOT NULL DEFAULT 0,
  forecast jsonb NOT NULL DEFAULT '[]',
  state jsonb NOT NULL,
  PRIMARY KEY (item_id, location_id)
);

CREATE TABLE alerts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type text NOT NULL,
  item_id uuid NOT NULL REFERENCES items (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  site_id uuid NOT NULL REFERENCES sites (id),
  severity text NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'snoozed', 'resolved', 'dismissed')),
  score numeric NOT NULL DEFAULT 0,
  rule_version integer NOT NULL,
  explanation jsonb NOT NULL,
  action jsonb,
  snoozed_until timestamptz,
  dismissed_reason text,
  -- A dismissed alert stays quiet until its condition clears once; then it may fire again.
  suppressed boolean NOT NULL DEFAULT false,
  acted_by uuid,
  opened_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  acknowledged_at timestamptz,
  resolved_at timestamptz,
  dismissed_at timestamptz
);
-- One live alert per type, item and location: recalculation upserts into it, never duplicates.
CREATE UNIQUE INDEX alerts_one_live ON alerts (type, item_id, location_id) WHERE status IN ('open', 'acknowledged', 'snoozed');
CREATE INDEX alerts_status ON alerts (status, severity, opened_at DESC);

CREATE TABLE alert_feed (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  alert_id uuid NOT NULL REFERENCES alerts (id),
  kind text NOT NULL CHECK (kind IN ('opened', 'updated', 'acknowledged', 'snoozed', 'dismissed', 'resolved', 'reopened')),
  at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid
);

CREATE TABLE recalc_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  kind text NOT NULL CHECK (kind IN ('full', 'items')),
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  total integer NOT NULL DEFAULT 0,
  done integer NOT NULL DEFAULT 0,
  -- The last item-location finished, so a restarted run resumes after it.
  cursor_item uuid,
  cursor_location uuid,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE consumption_anomalies (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  item_id uuid NOT NULL REFERENCES items (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  day date NOT NULL,
  quantity numeric NOT NULL,
  expected numeric NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted', 'rejected')),
  reviewed_by uuid,
  reviewed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (item_id, location_id, day)
);

CREATE TABLE backtest_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
  from_date date NOT NULL,
  to_date date NOT NULL,
  step text NOT NULL CHECK (step IN ('daily', 'weekly', 'monthly')),
  summary jsonb,
  error text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);

CREATE TABLE backtest_rows (
  run_id uuid NOT NULL REFERENCES backtest_runs (id) ON DELETE CASCADE,
  item_id uuid NOT NULL,
  location_id uuid NOT NULL,
  as_of date NOT NULL,
  model text NOT NULL,
  forecast_mean numeric NOT NULL,
  actual_mean numeric NOT NULL,
  stockout_probability numeric NOT NULL,
  alert_raised boolean NOT NULL,
  stockout_happened boolean NOT NULL,
  PRIMARY KEY (run_id, item_id, location_id, as_of)
);
