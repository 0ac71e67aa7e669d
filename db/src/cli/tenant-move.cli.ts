import { parseArgs } from 'node:util';
import { finishMoves, moveTenant } from '../cells/move-tenant.ts';
import { withControlDatabase } from './tenant-cli-support.ts';

/**
 * pnpm tenant move <org> --to <cell> [--grace-hours N]   copy, verify, switch (old copy kept)
 * pnpm tenant move --finish [--now]                        drop old copies past their grace period
 */
export async function main(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      to: { type: 'string' },
      'grace-hours': { type: 'string' },
      finish: { type: 'boolean', default: false },
      now: { type: 'boolean', default: false },
    },
  });
  const [organizationId] = positionals;
  if (!values.finish && (!organizationId || !values.to)) {
    console.error(
      'usage: pnpm tenant move <org> --to <cell> [--grace-hours N] | pnpm tenant move --finish [--now]',
    );
    return 2;
  }
  const graceHours = values['grace-hours'] === undefined ? undefined : Number(values['grace-hours']);
  if (graceHours !== undefined && !(graceHours >= 0)) {
    console.error('tenant move: --grace-hours must be a non-negative number');
    return 2;
  }
  return withControlDatabase('move', async (_control, cells) => {
    if (values.finish) {
      // --now: every switched move, whatever its grace period.
      const done = await finishMoves(cells, values.now ? new Date(8.64e15) : new Date());
      for (const d of done)
        console.log(`dropped ${d.droppedSchema} on cell '${d.cell}' (${d.organizationId})`);
      console.log(`${done.length} old ${done.length === 1 ? 'copy' : 'copies'} dropped`);
      return 0;
    }
    const report = await moveTenant(cells, organizationId!, values.to!, {
      graceHours,
      log: (l) => console.log(l),
    });
    console.log(`moved in ${Math.round(report.pausedMs)} ms of paused writes (move ${report.moveId})`);
    return 0;
  });
}
