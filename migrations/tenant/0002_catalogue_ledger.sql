-- Catalogue: items with pack units, suppliers and their terms. Every quantity in the database is
-- an integer count of the item's base unit (piece, ml, ...); pack units convert on input.
CREATE TABLE items (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 60),
  name_zh text NOT NULL CHECK (length(name_zh) BETWEEN 1 AND 300),
  name_en text NOT NULL CHECK (length(name_en) BETWEEN 1 AND 300),
  specification text NOT NULL DEFAULT '',
  category text NOT NULL DEFAULT 'general',
  base_unit text NOT NULL CHECK (length(base_unit) BETWEEN 1 AND 30),
  base_unit_zh text NOT NULL DEFAULT '',
  base_unit_en text NOT NULL DEFAULT '',
  gtin text UNIQUE CHECK (gtin ~ '^[0-9]{14}$'),
  manufacturer text,
  ved text NOT NULL DEFAULT 'E' CHECK (ved IN ('V', 'E', 'D')),
  abc text CHECK (abc IN ('A', 'B', 'C')),
  storage text NOT NULL DEFAULT 'room' CHECK (storage IN ('room', 'cool', 'cold', 'frozen')),
  substitute_group text,
  unit_cost numeric(14, 4) NOT NULL DEFAULT 0 CHECK (unit_cost >= 0),
  lot_tracked boolean NOT NULL DEFAULT true,
  template_code text,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX items_substitute_group ON items (substitute_group) WHERE substitute_group IS NOT NULL;

CREATE TABLE item_units (
  item_id uuid NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  code text NOT NULL CHECK (length(code) BETWEEN 1 AND 30),
  name_zh text NOT NULL DEFAULT '',
  name_en text NOT NULL DEFAULT '',
  factor integer NOT NULL CHECK (factor > 1),
  PRIMARY KEY (item_id, code)
);

CREATE TABLE suppliers (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE CHECK (length(code) BETWEEN 1 AND 60),
  name text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
  contact_email text,
  phone text,
  nominal_lead_time_days numeric(6, 2) NOT NULL DEFAULT 7 CHECK (nominal_lead_time_days >= 0),
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE item_suppliers (
  item_id uuid NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  supplier_id uuid NOT NULL REFERENCES suppliers (id) ON DELETE CASCADE,
  supplier_item_code text,
  -- Price of one order pack; pack_size is that pack in base units.
  pack_price numeric(14, 4) NOT NULL DEFAULT 0 CHECK (pack_price >= 0),
  pack_size integer NOT NULL DEFAULT 1 CHECK (pack_size >= 1),
  moq_packs integer NOT NULL DEFAULT 1 CHECK (moq_packs >= 1),
  nominal_lead_time_days numeric(6, 2) CHECK (nominal_lead_time_days >= 0),
  preferred boolean NOT NULL DEFAULT false,
  PRIMARY KEY (item_id, supplier_id)
);
CREATE UNIQUE INDEX item_suppliers_one_preferred ON item_suppliers (item_id) WHERE preferred;

-- Par levels: the min/max an item should have at a location (ward 基数).
CREATE TABLE par_levels (
  location_id uuid NOT NULL REFERENCES locations (id) ON DELETE CASCADE,
  item_id uuid NOT NULL REFERENCES items (id) ON DELETE CASCADE,
  min_qty bigint NOT NULL DEFAULT 0 CHECK (min_qty >= 0),
  max_qty bigint CHECK (max_qty IS NULL OR max_qty >= min_qty),
  PRIMARY KEY (location_id, item_id)
);

-- Lots: one per item and lot number. Items received without a lot number go to the item's
-- untracked lot (lot_number ''), so every stock row has a lot.
CREATE TABLE lots (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  item_id uuid NOT NULL REFERENCES items (id),
  lot_number text NOT NULL CHECK (length(lot_number) <= 40),
  expiry_date date,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (item_id, lot_number)
);

-- On-hand per location, item and lot, updated in the same transaction as each movement. The
-- CHECK makes negative stock impossible whatever the code above it does.
CREATE TABLE stock (
  location_id uuid NOT NULL REFERENCES locations (id),
  item_id uuid NOT NULL REFERENCES items (id),
  lot_id uuid NOT NULL REFERENCES lots (id),
  on_hand bigint NOT NULL CHECK (on_hand >= 0),
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (location_id, item_id, lot_id)
);
CREATE INDEX stock_item ON stock (item_id);

-- The ledger: append-only. Quantities are signed base units (+ in, − out). `historical` rows are
-- imported consumption history: they feed forecasts but not today's on-hand.
CREATE TABLE movements (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  group_id uuid NOT NULL DEFAULT gen_random_uuid(),
  type text NOT NULL CHECK (type IN ('receipt', 'issue', 'transfer_out', 'transfer_in', 'adjustment', 'stocktake', 'return', 'write_off')),
  item_id uuid NOT NULL REFERENCES items (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  lot_id uuid REFERENCES lots (id),
  quantity bigint NOT NULL CHECK (quantity <> 0 OR type = 'stocktake'),
  unit_cost numeric(14, 4),
  reason text,
  reference text,
  source text NOT NULL DEFAULT 'api',
  purchase_order_line_id uuid,
  scheduled_procedure_id uuid,
  historical boolean NOT NULL DEFAULT false,
  occurred_at timestamptz NOT NULL DEFAULT now(),
  recorded_at timestamptz NOT NULL DEFAULT now(),
  actor_id uuid
);
CREATE INDEX movements_item_location_time ON movements (item_id, location_id, occurred_at);
CREATE INDEX movements_time ON movements (occurred_at DESC, id DESC);

CREATE FUNCTION movements_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'movements are append-only: post a correcting movement instead' USING ERRCODE = 'P0001';
END $$;
CREATE TRIGGER movements_no_update BEFORE UPDATE OR DELETE ON movements FOR EACH ROW EXECUTE FUNCTION movements_append_only();
