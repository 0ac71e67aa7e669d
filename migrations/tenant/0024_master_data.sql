-- Issue 11: master data kept in the web.

-- 医保医用耗材编码 (NHSA national consumable code: C + 19 digits, or the 27-character form with the
-- 7-digit specification suffix) and the UDI-DI (device identifier of the 医疗器械唯一标识, GS1, MA
-- or other issuing agency). Both optional; checked again by the API with readable problems.
ALTER TABLE items ADD COLUMN nhsa_code text CHECK (nhsa_code ~ '^C[0-9]{19}([0-9]{7})?$');
ALTER TABLE items ADD COLUMN udi_di text CHECK (length(udi_di) BETWEEN 1 AND 60 AND udi_di ~ '^[\x21-\x7e]+$');
CREATE INDEX items_nhsa_code ON items (nhsa_code) WHERE nhsa_code IS NOT NULL;

-- More GTINs per item: a box and its pieces carry different GTINs, and a scan of an unknown GTIN
-- is linked to an item from the web. `unit_code` names the pack unit the GTIN marks (null: the
-- base unit). items.gtin stays the item's main GTIN; the API keeps a GTIN on one item only.
CREATE TABLE item_gtins (
  gtin text PRIMARY KEY CHECK (gtin ~ '^[0-9]{14}$'),
  item_id uuid NOT NULL REFERENCES items (id),
  unit_code text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX item_gtins_item ON item_gtins (item_id);

-- Who removed a member, when and why: the audit log records the request, this records the reason
-- and the person as they were (the membership row is gone).
CREATE TABLE member_removals (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id uuid NOT NULL,
  email text NOT NULL,
  name text NOT NULL,
  role text NOT NULL,
  -- The web always asks for one; an integration may remove a member without (null).
  reason text CHECK (reason IS NULL OR length(reason) BETWEEN 1 AND 500),
  removed_by uuid,
  removed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_removals_at ON member_removals (removed_at DESC, id DESC);
