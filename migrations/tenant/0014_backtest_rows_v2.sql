-- Issue 9: a backtest that tells the truth. A run names its horizon and where its lead times came
-- from; a row keeps the position, the lead time used, the forecast per period with quantiles and
-- actuals, both probabilities (NULL = unknown, never 0), the outcome (new stock-out / already out /
-- none / unknown), months of stock (the baseline rule) and the forecast errors of the engine and
-- the naive / 3-period-mean baselines. Item, site and location codes are joined at read time.

-- Runs made before this migration (format 1) used today's supplier terms for every as-of date, a
-- fixed 28-day window and stored unknown probabilities as 0: they stay readable as such.
ALTER TABLE backtest_runs
  ADD COLUMN format integer NOT NULL DEFAULT 1 CHECK (format IN (1, 2)),
  ADD COLUMN horizon_days integer NOT NULL DEFAULT 28 CHECK (horizon_days BETWEEN 1 AND 366),
  -- When the caller gave the horizon in periods of the step (kept to show it as asked).
  ADD COLUMN horizon_periods integer CHECK (horizon_periods IS NULL OR horizon_periods >= 1),
  ADD COLUMN lead_time_mode text NOT NULL DEFAULT 'current_terms'
    CHECK (lead_time_mode IN ('recorded', 'fixed', 'current_terms')),
  ADD COLUMN lead_time_days integer CHECK (lead_time_days IS NULL OR lead_time_days BETWEEN 0 AND 730),
  ADD CONSTRAINT backtest_runs_fixed_lead_time CHECK ((lead_time_mode = 'fixed') = (lead_time_days IS NOT NULL)),
  ADD CONSTRAINT backtest_runs_current_terms_legacy CHECK (lead_time_mode <> 'current_terms' OR format = 1);
ALTER TABLE backtest_runs
  ALTER COLUMN format SET DEFAULT 2,
  ALTER COLUMN horizon_days SET DEFAULT 30,
  ALTER COLUMN lead_time_mode SET DEFAULT 'recorded';

ALTER TABLE backtest_rows
  ADD COLUMN position numeric,
  ADD COLUMN lead_time_days numeric,
  ADD COLUMN family text,
  ADD COLUMN grain text,
  ADD COLUMN forecast jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN p_before_receipt numeric CHECK (p_before_receipt BETWEEN 0 AND 1),
  ADD COLUMN p_within_horizon numeric CHECK (p_within_horizon BETWEEN 0 AND 1),
  ADD COLUMN outcome text NOT NULL DEFAULT 'unknown'
    CHECK (outcome IN ('new_stockout', 'already_out', 'none', 'unknown')),
  ADD COLUMN months_of_stock numeric,
  ADD COLUMN errors jsonb;

-- Format-1 rows: their one forecast window becomes one period, their probability is the one "before
-- the next receipt" it was; whether a stock-out was new or the stock already out was never recorded,
-- so the outcome is unknown.
UPDATE backtest_rows
   SET forecast = jsonb_build_array(jsonb_build_object(
         'start', to_char(as_of, 'YYYY-MM-DD'),
         'end', to_char(as_of + 27, 'YYYY-MM-DD'),
         'mean', forecast_mean * 28,
         'quantiles', '[]'::jsonb,
         'actual', actual_mean * 28)),
       p_before_receipt = least(greatest(stockout_probability, 0), 1);

ALTER TABLE backtest_rows
  DROP COLUMN forecast_mean,
  DROP COLUMN actual_mean,
  DROP COLUMN stockout_probability,
  DROP COLUMN stockout_happened;

-- Rows filtered by outcome or item within a run.
CREATE INDEX backtest_rows_outcome ON backtest_rows (run_id, outcome);
CREATE INDEX backtest_rows_item ON backtest_rows (run_id, item_id, as_of);

-- The supplier lead-time terms in force at each date, so a backtest uses the terms known then
-- rather than today's. One row per change of the effective nominal lead time of an item-supplier
-- pair (the item's own figure, else the supplier's), written by triggers; what was there before
-- this migration is recorded as in force since ever (nothing older is known).
CREATE TABLE lead_time_terms_history (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  item_id uuid NOT NULL,
  supplier_id uuid NOT NULL,
  nominal_lead_time_days numeric(6, 2) NOT NULL,
  valid_from timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX lead_time_terms_history_pair ON lead_time_terms_history (item_id, supplier_id, valid_from);

INSERT INTO lead_time_terms_history (item_id, supplier_id, nominal_lead_time_days, valid_from)
SELECT isup.item_id, isup.supplier_id, coalesce(isup.nominal_lead_time_days, s.nominal_lead_time_days), '-infinity'
  FROM item_suppliers isup JOIN suppliers s ON s.id = isup.supplier_id;

CREATE FUNCTION item_supplier_terms_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO lead_time_terms_history (item_id, supplier_id, nominal_lead_time_days)
  SELECT NEW.item_id, NEW.supplier_id, coalesce(NEW.nominal_lead_time_days, s.nominal_lead_time_days)
    FROM suppliers s WHERE s.id = NEW.supplier_id;
  RETURN NULL;
END $$;
CREATE TRIGGER item_supplier_terms_history AFTER INSERT OR UPDATE OF nominal_lead_time_days ON item_suppliers
  FOR EACH ROW EXECUTE FUNCTION item_supplier_terms_changed();

CREATE FUNCTION supplier_terms_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.nominal_lead_time_days IS DISTINCT FROM OLD.nominal_lead_time_days THEN
    INSERT INTO lead_time_terms_history (item_id, supplier_id, nominal_lead_time_days)
    SELECT isup.item_id, NEW.id, NEW.nominal_lead_time_days
      FROM item_suppliers isup WHERE isup.supplier_id = NEW.id AND isup.nominal_lead_time_days IS NULL;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER supplier_terms_history AFTER UPDATE OF nominal_lead_time_days ON suppliers
  FOR EACH ROW EXECUTE FUNCTION supplier_terms_changed();
