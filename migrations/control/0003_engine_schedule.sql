-- How often the engine fully recalculates each organisation (event-driven recalculation is extra).
ALTER TABLE control.organizations ADD COLUMN recalc_every_minutes integer NOT NULL DEFAULT 60 CHECK (recalc_every_minutes BETWEEN 5 AND 1440);
