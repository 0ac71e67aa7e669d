import { sleep } from '../timing.ts';
import type { ScenarioDefinition } from './scenario.ts';

export const workerKill: ScenarioDefinition = {
  name: 'worker-kill',
  title: 'worker killed with SIGKILL under load (mid full recalculation), restarted 3 s later',
  needsControl: true,
  fullRecalculationBeforeFault: true,
  async fault(ctx) {
    const worker = ctx.stack.control!.worker;
    const faultAt = Date.now();
    await worker.kill9();
    await sleep(3_000);
    await worker.start();
    return { faultAt, backAt: Date.now() };
  },
};

export const apiKill: ScenarioDefinition = {
  name: 'api-kill',
  title: 'API killed with SIGKILL under load, restarted 2 s later',
  needsControl: true,
  // More clients: more requests are caught half-way when the process dies.
  workload: { clients: 10, pauseMs: 20 },
  async fault(ctx) {
    const api = ctx.stack.control!.api;
    const faultAt = Date.now();
    await api.kill9();
    await sleep(2_000);
    await api.start();
    return { faultAt, backAt: Date.now() };
  },
};
