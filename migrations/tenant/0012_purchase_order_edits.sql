-- Four eyes on purchase orders: every accepted edit of a draft, by whom (a user or an API key) and
-- which fields. An approver must have neither created the order (purchase_orders.created_by) nor
-- edited it (a row here), so whoever shaped the quantities, prices or over-receipt rule never
-- approves them too.
CREATE TABLE purchase_order_edits (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  purchase_order_id uuid NOT NULL REFERENCES purchase_orders (id) ON DELETE CASCADE,
  editor_type text NOT NULL CHECK (editor_type IN ('user', 'api_key')),
  editor_id uuid NOT NULL,
  fields text[] NOT NULL,
  edited_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX purchase_order_edits_order ON purchase_order_edits (purchase_order_id, editor_id);

-- The sites an audit entry touched (the site of each resource the request read or changed under a
-- site check), so site-limited admins see only their sites' entries. The entries themselves live
-- in the control plane (control.audit_log); a tenant migration cannot name that schema, so there
-- is no foreign key: an entry without rows here is visible only to callers with every site.
CREATE TABLE audit_entry_sites (
  audit_id bigint NOT NULL,
  site_id uuid NOT NULL,
  PRIMARY KEY (audit_id, site_id)
);
