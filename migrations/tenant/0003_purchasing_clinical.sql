-- Purchasing: orders with an approval step, receipts against lines, measured lead times.
CREATE TABLE purchase_orders (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number text NOT NULL UNIQUE,
  supplier_id uuid NOT NULL REFERENCES suppliers (id),
  site_id uuid NOT NULL REFERENCES sites (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  status text NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'approved', 'sent', 'partially_received', 'received', 'cancelled')),
  allow_over_receipt boolean NOT NULL DEFAULT false,
  notes text,
  source text NOT NULL DEFAULT 'manual',
  expected_at date,
  created_by uuid,
  approved_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  approved_at timestamptz,
  sent_at timestamptz,
  received_at timestamptz,
  cancelled_at timestamptz,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchase_orders_status ON purchase_orders (status, created_at DESC);

CREATE TABLE purchase_order_lines (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  purchase_order_id uuid NOT NULL REFERENCES purchase_orders (id) ON DELETE CASCADE,
  item_id uuid NOT NULL REFERENCES items (id),
  quantity_ordered bigint NOT NULL CHECK (quantity_ordered > 0),
  quantity_received bigint NOT NULL DEFAULT 0 CHECK (quantity_received >= 0),
  unit_price numeric(14, 4) NOT NULL DEFAULT 0,
  UNIQUE (purchase_order_id, item_id)
);
CREATE INDEX purchase_order_lines_item ON purchase_order_lines (item_id);

CREATE TABLE lead_time_observations (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  supplier_id uuid NOT NULL REFERENCES suppliers (id),
  item_id uuid NOT NULL REFERENCES items (id),
  purchase_order_id uuid REFERENCES purchase_orders (id),
  ordered_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL,
  lead_time_days numeric(8, 3) NOT NULL CHECK (lead_time_days >= 0),
  source text NOT NULL DEFAULT 'receipt'
);
CREATE INDEX lead_time_observations_pair ON lead_time_observations (supplier_id, item_id, received_at);

-- Clinical activity: procedure kits and the schedule posted by the HIS.
CREATE TABLE procedure_types (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  code text NOT NULL UNIQUE,
  name_zh text NOT NULL,
  name_en text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE procedure_kit_items (
  procedure_type_id uuid NOT NULL REFERENCES procedure_types (id) ON DELETE CASCADE,
  item_id uuid NOT NULL REFERENCES items (id),
  quantity bigint NOT NULL CHECK (quantity > 0),
  PRIMARY KEY (procedure_type_id, item_id)
);

CREATE TABLE scheduled_procedures (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  procedure_type_id uuid NOT NULL REFERENCES procedure_types (id),
  site_id uuid NOT NULL REFERENCES sites (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  scheduled_for date NOT NULL,
  external_ref text UNIQUE,
  status text NOT NULL DEFAULT 'scheduled' CHECK (status IN ('scheduled', 'done', 'cancelled')),
  done_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX scheduled_procedures_date ON scheduled_procedures (site_id, scheduled_for) WHERE status = 'scheduled';
