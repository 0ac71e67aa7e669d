import {
  type CellRegistry,
  type Database,
  dropErasedSchemas,
  eraseDueTenants,
  finishMoves,
  recoverMove,
} from '@medstock/db';
import { errorFields, type Logger } from '../logger.ts';

/** Who the erasure audit records when the worker, not an operator, erases an organisation. */
export const UPKEEP_ACTOR = 'medstock-worker (scheduled upkeep)';

export interface UpkeepReport {
  /** Old copies of moved organisations dropped after their grace period. */
  droppedCopies: number;
  /** Organisations erased after their deletion grace period. */
  erased: number;
  /** Moves left half-done by a mover that died, settled forward or back. */
  recoveredMoves: number;
  /** Schemas of erased organisations left on a cell by an erasure that failed half-way. */
  droppedErasedSchemas: number;
}

/**
 * The operator commands that must run once their time has come, run by the worker holding the
 * schedule lease so that nobody has to remember a cron line: `pnpm tenant move --finish` (drop
 * the old copy after its grace period), `pnpm tenant delete --due` (erase after the 30-day grace
 * period, with its audit record), settling a move whose mover died, and dropping a schema that an
 * erasure failing half-way left on another cell. Each step is the same code as its command and
 * safe to repeat; one failing does not keep the others from running.
 */
export async function runPlatformUpkeep(
  database: Database,
  cells: CellRegistry,
  log: Logger,
  now: Date = new Date(),
): Promise<UpkeepReport> {
  const report: UpkeepReport = { droppedCopies: 0, erased: 0, recoveredMoves: 0, droppedErasedSchemas: 0 };
  const step = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (err) {
      log.warn({ ...errorFields(err), step: name }, 'platform upkeep step failed; retrying next time');
    }
  };
  await step('recover-moves', async () => {
    // A live mover holds the organisation's move lock: recoverMove leaves its move alone.
    const { rows } = await database.pool.query<{ organization_id: string }>(
      `select organization_id from control.tenant_moves where status = 'copying' order by started_at`,
    );
    for (const { organization_id } of rows) {
      const settled = await recoverMove(cells, organization_id);
      if (settled) {
        report.recoveredMoves++;
        log.info({ tenantId: organization_id, settled }, 'half-done tenant move settled');
      }
    }
  });
  await step('finish-moves', async () => {
    for (const d of await finishMoves(cells, now)) {
      report.droppedCopies++;
      log.info(
        { tenantId: d.organizationId, cell: d.cell, schema: d.droppedSchema },
        'old copy of a moved organisation dropped',
      );
    }
  });
  await step('erase-due', async () => {
    for (const e of await eraseDueTenants(database, { by: UPKEEP_ACTOR })) {
      report.erased++;
      log.info({ tenantId: e.organizationId }, 'organisation erased after its grace period');
    }
  });
  await step('drop-erased-schemas', async () => {
    for (const d of (await dropErasedSchemas(database)) ?? []) {
      report.droppedErasedSchemas++;
      log.info({ cell: d.cell, schema: d.schema }, 'schema of an erased organisation dropped');
    }
  });
  return report;
}
