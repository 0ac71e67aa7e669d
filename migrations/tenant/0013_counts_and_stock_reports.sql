-- Issue 9: one history model. No `historical` kind any more: history is back-dated movements plus
-- counts, and every row counts towards on-hand at its date (stock.on_hand = sum(movements.quantity)
-- per location, item and lot, always).

-- A stocktake row stores the count; its quantity is the variance. A count of a whole
-- item-location (no lot) writes a header row without a lot (quantity 0, counted = the count) and
-- one variance row per lot it changed, in the same group.
ALTER TABLE movements ADD COLUMN counted bigint CHECK (counted IS NULL OR (type = 'stocktake' AND counted >= 0));
-- History imports: a key per imported row (hash of its content and its ordinal among identical
-- rows of the file), so importing the same rows again skips them.
ALTER TABLE movements ADD COLUMN import_row_key uuid;
CREATE UNIQUE INDEX movements_import_row_key ON movements (import_row_key) WHERE import_row_key IS NOT NULL;
CREATE INDEX movements_counts ON movements (item_id, location_id, occurred_at) WHERE type = 'stocktake';

-- Rows without a lot belong to the item's untracked lot ('') from now on.
INSERT INTO lots (item_id, lot_number)
SELECT DISTINCT item_id, '' FROM movements WHERE lot_id IS NULL
ON CONFLICT (item_id, lot_number) DO NOTHING;

ALTER TABLE movements DISABLE TRIGGER movements_no_update;
UPDATE movements m SET lot_id = lo.id FROM lots lo
 WHERE m.lot_id IS NULL AND lo.item_id = m.item_id AND lo.lot_number = '';
-- Earlier stocktakes stored only the variance: the count is the lot's real balance after the row.
UPDATE movements m SET counted = greatest(x.balance, 0) FROM (
  SELECT id, type, sum(quantity) FILTER (WHERE NOT historical)
           OVER (PARTITION BY item_id, location_id, lot_id ORDER BY occurred_at, id) AS balance
    FROM movements
) x
 WHERE x.id = m.id AND x.type = 'stocktake' AND NOT m.historical;
ALTER TABLE movements ENABLE TRIGGER movements_no_update;

-- Imported history changed no stock; keep today's on-hand by one baseline per lot it touched.
INSERT INTO movements (type, item_id, location_id, lot_id, quantity, counted, reason, source, occurred_at)
SELECT 'stocktake', item_id, location_id, lot_id, -sum(quantity), NULL, 'history baseline', 'migration', now()
  FROM movements WHERE historical
 GROUP BY item_id, location_id, lot_id;

ALTER TABLE movements DROP COLUMN historical;

-- Every row has a lot: one written without (a raw insert, an integration's bulk load) books to the
-- item's untracked lot. Only the header of a whole item-location count has none.
CREATE FUNCTION movements_default_lot() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.lot_id IS NULL AND NOT (NEW.type = 'stocktake' AND NEW.quantity = 0 AND NEW.counted IS NOT NULL) THEN
    INSERT INTO lots (item_id, lot_number) VALUES (NEW.item_id, '') ON CONFLICT (item_id, lot_number) DO NOTHING;
    SELECT id INTO NEW.lot_id FROM lots WHERE item_id = NEW.item_id AND lot_number = '';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER movements_default_lot BEFORE INSERT ON movements FOR EACH ROW
  WHEN (NEW.lot_id IS NULL) EXECUTE FUNCTION movements_default_lot();
ALTER TABLE movements ADD CONSTRAINT movements_lot_required
  CHECK (lot_id IS NOT NULL OR (type = 'stocktake' AND quantity = 0 AND counted IS NOT NULL));

-- Periodic stock reports (库存月报): one per item-location and period, posted as dated ledger
-- entries (group_id) in the transaction that stores the report.
CREATE TABLE stock_reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  item_id uuid NOT NULL REFERENCES items (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  period_start date NOT NULL,
  period_end date NOT NULL,
  opening bigint CHECK (opening >= 0),
  received bigint NOT NULL DEFAULT 0 CHECK (received >= 0),
  issued bigint NOT NULL DEFAULT 0 CHECK (issued >= 0),
  losses bigint NOT NULL DEFAULT 0 CHECK (losses >= 0),
  losses_reason text,
  adjustments bigint NOT NULL DEFAULT 0,
  adjustments_reason text,
  closing_count bigint NOT NULL CHECK (closing_count >= 0),
  stockout_days integer NOT NULL DEFAULT 0 CHECK (stockout_days >= 0),
  -- What the ledger held: at the period start (NULL: unknown) and before the closing count.
  book_opening bigint,
  book_closing bigint NOT NULL,
  variance bigint NOT NULL,
  group_id uuid NOT NULL,
  source text NOT NULL DEFAULT 'api',
  import_id uuid,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  CHECK (period_end >= period_start),
  CHECK (stockout_days <= period_end - period_start + 1),
  UNIQUE (item_id, location_id, period_start)
);
CREATE INDEX stock_reports_period ON stock_reports (period_end DESC, id DESC);
CREATE INDEX stock_reports_item_location ON stock_reports (item_id, location_id, period_end);

ALTER TABLE import_jobs DROP CONSTRAINT IF EXISTS import_jobs_kind_check;
ALTER TABLE import_jobs ADD CONSTRAINT import_jobs_kind_check
  CHECK (kind IN ('items', 'suppliers', 'opening_balances', 'movements', 'purchase_orders', 'stock_reports'));
