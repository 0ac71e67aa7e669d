-- Engine extras: anomaly scores for review, the review queue's order, and the lookup that keeps
-- purchase suggestions from drafting the same line twice.

-- The robust z-score that flagged the day and the threshold it crossed, shown to the reviewer.
ALTER TABLE consumption_anomalies ADD COLUMN score numeric;
ALTER TABLE consumption_anomalies ADD COLUMN threshold numeric;
CREATE INDEX consumption_anomalies_review ON consumption_anomalies (status, day DESC, id);

-- Open drafts per supplier and receiving location (suggestions check them before drafting).
CREATE INDEX purchase_orders_open_drafts ON purchase_orders (supplier_id, location_id) WHERE status = 'draft';
