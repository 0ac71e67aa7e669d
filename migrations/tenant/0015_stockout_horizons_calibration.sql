-- Issue 9: stockout probabilities over named horizons, honest unknowns, and per-organisation
-- recalibration learnt from the organisation's own backtests.

-- Unknown is not zero: a policy whose position or forecast cannot be computed stores NULL.
ALTER TABLE item_location_policies ALTER COLUMN stockout_probability DROP NOT NULL;
ALTER TABLE item_location_policies
  -- P(stockout within horizon_days), arrivals in transit counted at their expected dates.
  ADD COLUMN stockout_probability_horizon numeric,
  ADD COLUMN horizon_days integer,
  ADD COLUMN forecast_grain text,
  ADD COLUMN forecast_family text,
  -- True when the probabilities above went through the organisation's calibration map.
  ADD COLUMN probability_calibrated boolean NOT NULL DEFAULT false;

-- A calibration map fitted to one backtest's scored rows (p before the horizon against what
-- happened). The engine uses the newest one; a new backtest replaces it.
CREATE TABLE stockout_calibrations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  backtest_run_id uuid REFERENCES backtest_runs (id) ON DELETE SET NULL,
  horizon_days integer NOT NULL,
  method text NOT NULL,
  calibration jsonb NOT NULL,
  scored_rows integer NOT NULL,
  positives integer NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stockout_calibrations_newest ON stockout_calibrations (created_at DESC);

-- Typical monthly usage per site, from the catalogue template or set by the clinic: the prior a
-- new clinic's forecast leans on until its own history speaks.
ALTER TABLE items ADD COLUMN typical_monthly_usage numeric CHECK (typical_monthly_usage IS NULL OR typical_monthly_usage >= 0);
