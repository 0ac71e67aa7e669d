import type { AppDeps } from '../../deps.ts';
import { wakeRecalculation } from '../../lib/enqueue-recalculation.ts';
import type { AuthContext } from '../../plugins/access.ts';

export interface MovementOutcome {
  /**
   * Item-locations whose stock or in-transit quantity changed. The change's transaction has
   * already marked them in the recalculation outbox (postMovement, order approval/cancellation).
   */
  posted: { itemId: string; locationId: string }[];
  deliveryIds: string[];
}

type AfterMovementHook = (deps: AppDeps, auth: AuthContext, outcome: MovementOutcome) => Promise<void>;

/** Work that follows a committed movement: wake the recalculation of the touched item-locations, webhook delivery. */
const hooks: AfterMovementHook[] = [
  async (deps, auth, outcome) => {
    if (outcome.posted.length) await wakeRecalculation(deps, auth.organizationId);
  },
];

export function onMovementCommitted(hook: AfterMovementHook) {
  hooks.push(hook);
}

export async function afterMovement(deps: AppDeps, auth: AuthContext, outcome: MovementOutcome) {
  for (const hook of hooks) await hook(deps, auth, outcome);
}
