-- Issue 11: ward requisitions (科室申领), fixed-quantity packs (定数包), issue destinations
-- (department, cost centre, patient) and lot recall. A recall holds its lot through the one
-- quarantine there is, stock.quarantined (migration 0021, receiving): see the trigger below.

-- Departments (科室): where issues go and what they are charged to. A department belongs to a site;
-- it may keep its own sub-store (二级库), a location of that site.
CREATE TABLE departments (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  site_id uuid NOT NULL REFERENCES sites (id),
  code text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 40),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  cost_centre text CHECK (length(cost_centre) BETWEEN 1 AND 40),
  location_id uuid REFERENCES locations (id),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Issue destinations: an issue may be charged to a department, a cost centre and/or a patient
-- (a reference such as the MRN or visit number only, never personal data).
ALTER TABLE movements
  ADD COLUMN department_id uuid REFERENCES departments (id),
  ADD COLUMN cost_centre text CHECK (length(cost_centre) BETWEEN 1 AND 40),
  ADD COLUMN patient_ref text CHECK (length(patient_ref) BETWEEN 1 AND 64),
  ADD COLUMN requisition_id uuid;
ALTER TABLE movements ADD CONSTRAINT movements_destination_on_issues
  CHECK ((department_id IS NULL AND cost_centre IS NULL AND patient_ref IS NULL) OR type = 'issue') NOT VALID;
CREATE INDEX movements_department ON movements (department_id, occurred_at) WHERE department_id IS NOT NULL;
CREATE INDEX movements_lot ON movements (lot_id) WHERE lot_id IS NOT NULL;

-- Fixed-quantity packs (定数包): a pack of `quantity` base units of one item kept at a
-- department; scanning an opened pack's label asks the store to replenish it.
CREATE TABLE fixed_packs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9._-]{1,32}$'),
  item_id uuid NOT NULL REFERENCES items (id),
  quantity bigint NOT NULL CHECK (quantity > 0),
  department_id uuid NOT NULL REFERENCES departments (id),
  source_location_id uuid NOT NULL REFERENCES locations (id),
  active boolean NOT NULL DEFAULT true,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE requisitions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
  department_id uuid NOT NULL REFERENCES departments (id),
  -- The store that approves, picks and issues (a location; its site is the requisition's site).
  source_location_id uuid NOT NULL REFERENCES locations (id),
  site_id uuid NOT NULL REFERENCES sites (id),
  status text NOT NULL DEFAULT 'submitted'
    CHECK (status IN ('submitted', 'approved', 'partially_issued', 'issued', 'rejected', 'cancelled')),
  origin text NOT NULL DEFAULT 'manual' CHECK (origin IN ('manual', 'fixed_pack')),
  fixed_pack_id uuid REFERENCES fixed_packs (id),
  -- The copy of the pack whose label was scanned (a department may hold several copies).
  pack_copy integer CHECK (pack_copy BETWEEN 1 AND 999),
  note text CHECK (length(note) <= 500),
  requested_by uuid,
  requested_at timestamptz NOT NULL DEFAULT now(),
  approved_by uuid,
  approved_at timestamptz,
  rejected_by uuid,
  rejected_at timestamptz,
  reject_reason text CHECK (length(reject_reason) <= 500),
  cancelled_by uuid,
  cancelled_at timestamptz,
  cancel_reason text CHECK (length(cancel_reason) <= 500),
  last_issued_by uuid,
  last_issued_at timestamptz,
  closed_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX requisitions_status ON requisitions (site_id, status, requested_at);
-- One open replenishment per pack copy: scanning the same opened pack twice finds the first one.
CREATE UNIQUE INDEX requisitions_open_pack ON requisitions (fixed_pack_id, pack_copy)
  WHERE fixed_pack_id IS NOT NULL AND status IN ('submitted', 'approved', 'partially_issued');

CREATE TABLE requisition_lines (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  requisition_id uuid NOT NULL REFERENCES requisitions (id),
  line_no integer NOT NULL,
  item_id uuid NOT NULL REFERENCES items (id),
  requested_qty bigint NOT NULL CHECK (requested_qty > 0),
  approved_qty bigint CHECK (approved_qty >= 0),
  issued_qty bigint NOT NULL DEFAULT 0 CHECK (issued_qty >= 0),
  adjust_reason text CHECK (length(adjust_reason) <= 500),
  UNIQUE (requisition_id, line_no),
  UNIQUE (requisition_id, item_id),
  CHECK (approved_qty IS NULL OR issued_qty <= approved_qty)
);

-- Each issue of a requisition: one ledger group, who and when.
CREATE TABLE requisition_issues (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  requisition_id uuid NOT NULL REFERENCES requisitions (id),
  group_id uuid NOT NULL,
  issued_by uuid,
  issued_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX requisition_issues_requisition ON requisition_issues (requisition_id);

-- A supplier's recall of one lot: opening it quarantines the lot everywhere; releasing it (with a
-- reason) lifts the quarantine.
CREATE TABLE recalls (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  item_id uuid NOT NULL REFERENCES items (id),
  lot_id uuid NOT NULL REFERENCES lots (id),
  supplier_id uuid REFERENCES suppliers (id),
  supplier_reference text CHECK (length(supplier_reference) <= 100),
  reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
  status text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'released')),
  opened_by uuid,
  opened_at timestamptz NOT NULL DEFAULT now(),
  released_by uuid,
  released_at timestamptz,
  release_reason text CHECK (length(release_reason) <= 500)
);
CREATE UNIQUE INDEX recalls_open_lot ON recalls (lot_id) WHERE status = 'open';

-- What a recall put on hold, per stock row, so releasing it gives back exactly that and leaves
-- any other hold (an inspection pending on the same row) in place.
CREATE TABLE recall_holds (
  recall_id uuid NOT NULL REFERENCES recalls (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  item_id uuid NOT NULL REFERENCES items (id),
  lot_id uuid NOT NULL REFERENCES lots (id),
  added bigint NOT NULL CHECK (added >= 0),
  PRIMARY KEY (recall_id, location_id, lot_id)
);

-- While a lot is recalled every unit of it is held, wherever and however it arrives (a stock row
-- touched by the recall itself, a later receipt or transfer of that lot, an inspection releasing
-- its own hold): whenever a row of a recalled lot would have units not on hold, the trigger holds
-- them and records what it added for the release. stock.quarantined is added by migration 0021;
-- the function body is resolved when it runs, after every migration.
CREATE FUNCTION hold_recalled_stock() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  open_recall uuid;
BEGIN
  IF NEW.quarantined >= NEW.on_hand THEN
    RETURN NEW;
  END IF;
  SELECT id INTO open_recall FROM recalls WHERE lot_id = NEW.lot_id AND status = 'open';
  IF open_recall IS NULL THEN
    RETURN NEW;
  END IF;
  INSERT INTO recall_holds (recall_id, location_id, item_id, lot_id, added)
  VALUES (open_recall, NEW.location_id, NEW.item_id, NEW.lot_id, NEW.on_hand - NEW.quarantined)
  ON CONFLICT (recall_id, location_id, lot_id) DO UPDATE SET added = recall_holds.added + excluded.added;
  NEW.quarantined := NEW.on_hand;
  RETURN NEW;
END $$;
CREATE TRIGGER stock_hold_recalled BEFORE INSERT OR UPDATE ON stock
  FOR EACH ROW EXECUTE FUNCTION hold_recalled_stock();
