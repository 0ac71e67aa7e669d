-- Issue 10 (first step): a movement POST reads back the rows of its group, and
-- GET /v1/movements/{id} reads one group; without this index both scanned the whole ledger
-- (185–281 ms per POST at 2.9M rows).
CREATE INDEX IF NOT EXISTS movements_group_id ON movements (group_id);
