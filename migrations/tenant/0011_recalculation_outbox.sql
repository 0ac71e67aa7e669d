-- "This item-location needs recalculation", written in the transaction of the change (a movement,
-- a receipt, a procedure completion, an approved or cancelled order), so the request survives a
-- Redis restart or a worker crash. One row per item-location: a burst of changes bumps `version`
-- instead of adding rows. The worker deletes a row in the transaction that committed its
-- recalculation, and only if `version` is still the one it computed (a change that arrived
-- meanwhile keeps the row for the next pass). A failed pass pushes `due_at` out with backoff.
CREATE TABLE recalculation_outbox (
  item_id uuid NOT NULL,
  location_id uuid NOT NULL,
  version bigint NOT NULL DEFAULT 1,
  requested_at timestamptz NOT NULL DEFAULT now(),
  due_at timestamptz NOT NULL DEFAULT now(),
  attempts integer NOT NULL DEFAULT 0,
  last_error text,
  PRIMARY KEY (item_id, location_id)
);

CREATE INDEX recalculation_outbox_due ON recalculation_outbox (due_at);
