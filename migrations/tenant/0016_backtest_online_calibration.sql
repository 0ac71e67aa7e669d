-- Issue 9: a backtest row states what the engine would have said with the organisation's
-- calibration in force at that date (learnt from outcomes known by then), beside the raw model value.
ALTER TABLE backtest_rows
  ADD COLUMN p_within_horizon_raw numeric,
  ADD COLUMN calibrated boolean NOT NULL DEFAULT false;
UPDATE backtest_rows SET p_within_horizon_raw = p_within_horizon;
