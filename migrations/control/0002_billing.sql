-- Billing with Stripe. The plan itself stays in organizations.plan (0001); these columns say how
-- it is paid for. billing_status mirrors the Stripe subscription status ('none': never subscribed).
ALTER TABLE control.organizations
  ADD COLUMN billing_status text NOT NULL DEFAULT 'none'
    CHECK (billing_status IN ('none', 'active', 'trialing', 'past_due', 'unpaid', 'incomplete', 'incomplete_expired', 'canceled', 'paused')),
  -- Chain plan: the number of sites paid for (the subscription quantity), which is its site limit.
  ADD COLUMN billed_sites integer CHECK (billed_sites >= 1),
  -- Creation time of the newest Stripe event applied; older events arriving late are not applied.
  ADD COLUMN stripe_event_at timestamptz;

-- Every Stripe webhook event handled, by its event id: a redelivered or replayed event finds its
-- row and changes nothing. The row is written in the same transaction as the change it caused.
CREATE TABLE control.stripe_events (
  id text PRIMARY KEY,
  type text NOT NULL,
  organization_id uuid REFERENCES control.organizations (id) ON DELETE SET NULL,
  outcome text NOT NULL,
  created_at timestamptz NOT NULL,
  received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX stripe_events_org ON control.stripe_events (organization_id, received_at DESC);
