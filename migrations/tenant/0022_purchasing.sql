-- Purchasing, the purchaser's day (issue 11): who did what to an order and when, expected
-- delivery per line, and every e-mail of an order to its supplier.

-- Who sent and who cancelled (created_by and approved_by exist since 0003), so every step of an
-- order names its actor beside its time.
ALTER TABLE purchase_orders ADD COLUMN sent_by uuid;
ALTER TABLE purchase_orders ADD COLUMN cancelled_by uuid;

-- A line may be promised later than the order as a whole (one item back-ordered); null means
-- the order's expected date.
ALTER TABLE purchase_order_lines ADD COLUMN expected_at date;

-- Each time an order went to its supplier by e-mail (the PDF attached): to whom, in which
-- language, by whom. The supplier's address may change later; the address used is kept here.
CREATE TABLE purchase_order_emails (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  purchase_order_id uuid NOT NULL REFERENCES purchase_orders (id) ON DELETE CASCADE,
  recipient text NOT NULL CHECK (length(recipient) <= 254),
  locale text NOT NULL CHECK (locale IN ('zh-CN', 'en')),
  sent_by_type text NOT NULL CHECK (sent_by_type IN ('user', 'api_key')),
  sent_by uuid NOT NULL,
  sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchase_order_emails_order ON purchase_order_emails (purchase_order_id, id);

-- The supplier-performance page groups receipts and open orders by supplier.
CREATE INDEX purchase_orders_supplier_status ON purchase_orders (supplier_id, status);
