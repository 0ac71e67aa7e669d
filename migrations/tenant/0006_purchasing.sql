-- Purchasing and clinical activity as the API uses them (tables in 0003).

-- Order numbers PO-<year>-<n>: a sequence per tenant schema, so numbers never collide under
-- concurrent creation and never reveal another organisation's volume.
CREATE SEQUENCE purchase_order_number_seq;

ALTER TABLE purchase_orders ADD COLUMN cancel_reason text CHECK (length(cancel_reason) <= 500);

-- List filters and the keyset order of GET /v1/purchase-orders (created_at desc, id desc).
CREATE INDEX purchase_orders_created ON purchase_orders (created_at DESC, id DESC);
CREATE INDEX purchase_orders_supplier ON purchase_orders (supplier_id, created_at DESC);
CREATE INDEX purchase_orders_site ON purchase_orders (site_id, created_at DESC);

CREATE INDEX lead_time_observations_item ON lead_time_observations (item_id, received_at);

-- Receipts and kit issues are found from their PO line or scheduled procedure.
CREATE INDEX movements_purchase_order_line ON movements (purchase_order_line_id) WHERE purchase_order_line_id IS NOT NULL;
CREATE INDEX movements_scheduled_procedure ON movements (scheduled_procedure_id) WHERE scheduled_procedure_id IS NOT NULL;

-- Planned demand joins kits by item; the schedule is listed by date.
CREATE INDEX procedure_kit_items_item ON procedure_kit_items (item_id);
CREATE INDEX scheduled_procedures_list ON scheduled_procedures (scheduled_for, id);
-- The HIS re-posts its schedule; updated_at tells when a row last changed.
ALTER TABLE scheduled_procedures ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
