import { sleep } from '../timing.ts';
import type { FaultWindow, ScenarioContext, ScenarioDefinition } from './scenario.ts';

/** Stops a dependency for `downMs` under load, then starts it again on the same port. */
async function outage(
  ctx: ScenarioContext,
  which: 'postgres' | 'redis',
  downMs: number,
): Promise<FaultWindow> {
  const dependency = ctx.stack.control![which];
  const faultAt = Date.now();
  await dependency.stop();
  await sleep(downMs);
  await dependency.start();
  return { faultAt, backAt: Date.now() };
}

export const postgresRestart: ScenarioDefinition = {
  name: 'postgres-restart',
  title: 'PostgreSQL stopped (fast shutdown) for 5 s under load, then started again',
  needsControl: true,
  fullRecalculationBeforeFault: true,
  fault: (ctx) => outage(ctx, 'postgres', 5_000),
};

export const redisRestart: ScenarioDefinition = {
  name: 'redis-restart',
  title: 'Redis stopped for 5 s under load, then started again empty (as after a crash)',
  needsControl: true,
  fullRecalculationBeforeFault: true,
  fault: (ctx) => outage(ctx, 'redis', 5_000),
};
