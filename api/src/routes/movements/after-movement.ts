import type { AppDeps } from '../../deps.ts';
import { enqueueRecalculation } from '../../lib/enqueue-recalculation.ts';
import type { AuthContext } from '../../plugins/access.ts';

export interface MovementOutcome {
  posted: { itemId: string; locationId: string }[];
  deliveryIds: string[];
}

type AfterMovementHook = (deps: AppDeps, auth: AuthContext, outcome: MovementOutcome) => Promise<void>;

/** Work that follows a committed movement: recalculation of the touched item-locations, webhook delivery. */
const hooks: AfterMovementHook[] = [
  (deps, auth, outcome) => enqueueRecalculation(deps, auth.organizationId, outcome.posted),
];

export function onMovementCommitted(hook: AfterMovementHook) {
  hooks.push(hook);
}

export async function afterMovement(deps: AppDeps, auth: AuthContext, outcome: MovementOutcome) {
  for (const hook of hooks) await hook(deps, auth, outcome);
}
