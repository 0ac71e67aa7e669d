-- Stocktake sessions (盘点单), issue 11: a count sheet for one location or every location of a
-- site, optionally a cycle count of some ABC classes; counts are entered per lot (or per item, a
-- whole item-location count), reviewed against the book, approved by a second person and then
-- posted as stocktake movements in one transaction, which locks the session.
CREATE SEQUENCE stocktake_number_seq;

CREATE TABLE stocktake_sessions (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  number text NOT NULL UNIQUE,
  site_id uuid NOT NULL REFERENCES sites (id),
  -- NULL: every location of the site.
  location_id uuid REFERENCES locations (id),
  -- NULL: every item; otherwise a cycle count of the items in these classes (by consumption value).
  abc_classes text[] CHECK (abc_classes IS NULL OR (abc_classes <@ ARRAY['A', 'B', 'C'] AND cardinality(abc_classes) > 0)),
  -- A blind count hides the book quantity until the counts are submitted.
  blind boolean NOT NULL DEFAULT false,
  status text NOT NULL DEFAULT 'counting'
    CHECK (status IN ('counting', 'submitted', 'approved', 'posted', 'cancelled')),
  note text,
  created_by uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  submitted_by uuid,
  submitted_at timestamptz,
  approved_by uuid,
  approved_at timestamptz,
  posted_by uuid,
  posted_at timestamptz,
  cancelled_by uuid,
  cancelled_at timestamptz,
  cancel_reason text,
  updated_at timestamptz NOT NULL DEFAULT now(),
  CHECK (status <> 'cancelled' OR cancel_reason IS NOT NULL)
);
CREATE INDEX stocktake_sessions_recent ON stocktake_sessions (created_at DESC, id DESC);
CREATE INDEX stocktake_sessions_site ON stocktake_sessions (site_id, status);

-- One line per location × item × lot on the sheet (lot_id NULL: the item counted as a whole at
-- that location, every lot together). `expected` is the book quantity when the sheet was made.
CREATE TABLE stocktake_lines (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  session_id uuid NOT NULL REFERENCES stocktake_sessions (id),
  location_id uuid NOT NULL REFERENCES locations (id),
  item_id uuid NOT NULL REFERENCES items (id),
  lot_id uuid REFERENCES lots (id),
  expected bigint NOT NULL DEFAULT 0,
  -- The item's class when the sheet was made (NULL for lines added during the count).
  abc_class text CHECK (abc_class IN ('A', 'B', 'C')),
  -- A lot found during the count that the sheet did not list.
  added boolean NOT NULL DEFAULT false,
  counted bigint CHECK (counted IS NULL OR counted >= 0),
  counted_by uuid,
  counted_at timestamptz,
  -- Set when posted: the ledger group written for this line's count.
  posted_group_id uuid,
  UNIQUE NULLS NOT DISTINCT (session_id, location_id, item_id, lot_id),
  CHECK ((counted IS NULL) = (counted_at IS NULL))
);
CREATE INDEX stocktake_lines_session ON stocktake_lines (session_id, location_id, item_id);
