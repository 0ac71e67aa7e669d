import { parseArgs } from 'node:util';
import {
  cancelTenantDeletion,
  DELETION_GRACE_DAYS,
  deleteTenant,
  eraseDueTenants,
  eraseTenant,
} from '../tenant-lifecycle/delete-tenant.ts';
import { operator, withControlDatabase } from './tenant-cli-support.ts';

const USAGE = `usage:
  pnpm tenant delete <org> [--grace-days <n>]   close it now, erase it after the grace period (default ${DELETION_GRACE_DAYS} days)
  pnpm tenant delete <org>                      (again, after the grace period) erase it
  pnpm tenant delete <org> --now                erase it at once (operators and tests)
  pnpm tenant delete <org> --cancel             withdraw the request during the grace period
  pnpm tenant delete --due                      erase every organisation whose grace period has ended (the worker does this hourly too)`;

export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      now: { type: 'boolean', default: false },
      cancel: { type: 'boolean', default: false },
      due: { type: 'boolean', default: false },
      'grace-days': { type: 'string' },
    },
  });
  const [org] = positionals;
  const graceDays = values['grace-days'] === undefined ? undefined : Number(values['grace-days']);
  if (
    positionals.length > 1 ||
    (values.due ? Boolean(org) : !org) ||
    (graceDays !== undefined && !(Number.isInteger(graceDays) && graceDays >= 0))
  ) {
    console.error(USAGE);
    return 2;
  }
  const by = operator();
  return withControlDatabase('delete', async (control) => {
    if (values.due) {
      const erased = await eraseDueTenants(control, { by });
      for (const e of erased) console.log(`erased ${e.organizationId}`);
      console.log(`${erased.length} organisation(s) erased`);
      return 0;
    }
    if (values.cancel) {
      const ok = await cancelTenantDeletion(control, org!);
      console.log(
        ok ? `deletion of ${org} withdrawn: it is active again` : `${org} was not waiting for deletion`,
      );
      return ok ? 0 : 1;
    }
    if (values.now) {
      const e = await eraseTenant(control, org!, { by, immediate: true });
      console.log(
        `erased ${org} at once: ${Object.values(e.removed.tenant).reduce((a, b) => a + b, 0)} tenant rows`,
      );
      return 0;
    }
    const step = await deleteTenant(control, org!, { by, graceDays });
    if (step.erased) {
      console.log(`erased ${org}`);
      return 0;
    }
    console.log(
      `${org} is closed and will be erased from ${step.request.dueAt.toISOString()} (the worker erases it then, or run this again); --cancel withdraws it`,
    );
    return 0;
  });
}
