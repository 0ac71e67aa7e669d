-- The recalculation lag (the worker's medstock_recalculation_lag_seconds) is the age of the oldest
-- item-location waiting in the outbox. A new change to a row that is already waiting bumps its
-- version and makes it due now, but keeps `requested_at`: the row has been waiting since its first
-- unsettled change, so an item-location that keeps changing and is never recalculated ages instead
-- of looking fresh. (A settled row is deleted; the next change starts a new wait.)
CREATE OR REPLACE FUNCTION mark_item_for_recalculation() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  item uuid;
BEGIN
  IF TG_TABLE_NAME = 'items' THEN
    item := COALESCE(NEW.id, OLD.id);
  ELSIF TG_OP = 'DELETE' THEN
    item := OLD.item_id;
  ELSE
    item := NEW.item_id;
  END IF;
  EXECUTE format(
    'insert into %1$I.recalculation_outbox (item_id, location_id)
       select item_id, location_id from %1$I.item_location_policies where item_id = $1 order by location_id
     on conflict (item_id, location_id) do update
       set version = recalculation_outbox.version + 1, due_at = now()',
    TG_TABLE_SCHEMA) USING item;
  RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION mark_supplier_items_for_recalculation() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format(
    'insert into %1$I.recalculation_outbox (item_id, location_id)
       select p.item_id, p.location_id from %1$I.item_location_policies p
         join %1$I.item_suppliers s on s.item_id = p.item_id where s.supplier_id = $1
        order by p.item_id, p.location_id
     on conflict (item_id, location_id) do update
       set version = recalculation_outbox.version + 1, due_at = now()',
    TG_TABLE_SCHEMA) USING NEW.id;
  RETURN NULL;
END $$;
