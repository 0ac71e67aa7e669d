-- Issue 11, receiving: what a receipt records (发票号, 随货同行单号), returns to the supplier (退货)
-- and write-offs (报损) with their reasons, inspection with quarantine (待验收), and consignment
-- stock (寄售) that stays the supplier's until it is used.

-- The documents and parties of a movement. Receipts: invoice and delivery note numbers and the
-- supplier; returns to the supplier: the supplier and optionally the order they go back against;
-- write-offs: why (damaged 破损, expired 过期, lost 丢失, other — `reason` then says what).
-- owner_supplier_id freezes who owned the stock a row moved when it moved (its lot's owner then):
-- an issue of consignment stock is the usage the supplier bills for (用后结算).
ALTER TABLE movements
  ADD COLUMN invoice_number text CHECK (length(invoice_number) <= 60),
  ADD COLUMN delivery_note_number text CHECK (length(delivery_note_number) <= 60),
  ADD COLUMN supplier_id uuid REFERENCES suppliers (id),
  ADD COLUMN purchase_order_id uuid REFERENCES purchase_orders (id),
  ADD COLUMN write_off_reason text CHECK (write_off_reason IN ('damaged', 'expired', 'lost', 'other')),
  ADD COLUMN owner_supplier_id uuid REFERENCES suppliers (id);
CREATE INDEX movements_consignment_usage ON movements (owner_supplier_id, occurred_at)
  WHERE owner_supplier_id IS NOT NULL;

-- Consignment (寄售/代管代销): the supplier delivers this item on consignment; what is received from
-- it stays vendor-owned until it is issued (ownership passes on use).
ALTER TABLE item_suppliers ADD COLUMN consignment boolean NOT NULL DEFAULT false;

-- A vendor-owned lot: every unit of it, wherever it lies, is the supplier's until issued. Set when
-- the lot is first received from a consignment supplier; a lot is owned one way only.
ALTER TABLE lots ADD COLUMN owner_supplier_id uuid REFERENCES suppliers (id);

-- Quarantine, per lot per location: `quarantined` units of the row are on hold (inspection pending,
-- or a recall) and cannot be issued or transferred; write-offs and returns to the supplier may take
-- them. The units on hold are least(quarantined, on_hand) — a count that finds fewer units than
-- are held holds what is there. Any workflow that needs stock held (inspection here, a lot recall
-- elsewhere) adds to and takes from this one column, so "not issuable" has one meaning.
ALTER TABLE stock ADD COLUMN quarantined bigint NOT NULL DEFAULT 0 CHECK (quarantined >= 0);

-- Receipts waiting for inspection (待验收): received into quarantine, then released into usable
-- stock or rejected (returned to the supplier or written off) by a person, with a reason.
CREATE TABLE inspections (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  group_id uuid NOT NULL,
  item_id uuid NOT NULL REFERENCES items (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  lot_id uuid NOT NULL REFERENCES lots (id),
  quantity bigint NOT NULL CHECK (quantity > 0),
  supplier_id uuid REFERENCES suppliers (id),
  purchase_order_id uuid REFERENCES purchase_orders (id),
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'released', 'rejected')),
  received_by uuid,
  received_at timestamptz NOT NULL DEFAULT now(),
  decided_by uuid,
  decided_at timestamptz,
  decision_reason text CHECK (length(decision_reason) <= 500),
  -- The movement that took rejected units out (a return to the supplier or a write-off).
  disposal_group_id uuid
);
CREATE INDEX inspections_pending ON inspections (received_at) WHERE status = 'pending';

-- How many days before expiry a lot counts as short-dated (近效期) on receipt: receiving it needs an
-- explicit, recorded override. One row at most; no row means 90 days.
CREATE TABLE receiving_settings (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  short_dated_days integer NOT NULL DEFAULT 90 CHECK (short_dated_days BETWEEN 0 AND 3650),
  updated_by uuid,
  updated_at timestamptz NOT NULL DEFAULT now()
);
