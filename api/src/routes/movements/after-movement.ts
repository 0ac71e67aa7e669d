import type { AppDeps } from '../../deps.ts';
import type { AuthContext } from '../../plugins/access.ts';

export interface MovementOutcome {
  posted: { itemId: string; locationId: string }[];
  deliveryIds: string[];
}

type AfterMovementHook = (deps: AppDeps, auth: AuthContext, outcome: MovementOutcome) => Promise<void>;
const hooks: AfterMovementHook[] = [];

/** Work that follows a committed movement (webhook delivery, recalculation of alerts). */
export function onMovementCommitted(hook: AfterMovementHook) {
  hooks.push(hook);
}

export async function afterMovement(deps: AppDeps, auth: AuthContext, outcome: MovementOutcome) {
  for (const hook of hooks) await hook(deps, auth, outcome);
}
