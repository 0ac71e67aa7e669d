import { EVENT_TYPES } from '@medstock/db';
import { request } from '../http-client.ts';
import { percentile } from '../report.ts';
import { seconds, sleep } from '../timing.ts';
import { type Receivers, startReceivers } from '../webhook-receivers.ts';
import type { ScenarioDefinition } from './scenario.ts';

const LOAD_MS = 10_000;
const DELIVERY_WAIT_MS = 20_000;

/**
 * One organisation with two webhook endpoints: one never answers (every delivery waits for the
 * sender's timeout), one answers at once. Measured: how late the healthy endpoint hears of each
 * movement, and how soon the engine catches up after the load stops ("dependency back" is the
 * end of the load here: the receiver never comes back).
 */
export function hangingReceiver(): ScenarioDefinition {
  let receivers: Receivers | null = null;
  const endpointIds: string[] = [];
  return {
    name: 'hanging-receiver',
    title: 'a webhook endpoint that never answers beside a healthy one, 10 s of movements',
    needsControl: false,
    workload: { clients: 3, pauseMs: 100 },
    async prepare(_ctx, tenant) {
      receivers = await startReceivers();
      for (const url of [receivers.hangingUrl, receivers.healthyUrl]) {
        const r = await request(_ctx.stack.apiUrl, 'POST', '/v1/webhooks', {
          token: tenant.ownerToken,
          body: { url, events: [...EVENT_TYPES], description: 'chaos' },
        });
        if (r.status !== 201)
          throw new Error(`webhook endpoint refused: ${r.status} ${JSON.stringify(r.body)}`);
        endpointIds.push(r.body.id);
      }
    },
    async fault() {
      const faultAt = Date.now();
      await sleep(LOAD_MS);
      return { faultAt, backAt: Date.now() };
    },
    async extra(_ctx, _tenant, run) {
      const accepted = run.operations.flatMap((o) =>
        o.outcome?.kind === 'accepted' && typeof o.outcome.answer.body?.groupId === 'string'
          ? [{ groupId: o.outcome.answer.body.groupId as string, at: o.outcome.at }]
          : [],
      );
      const deadline = Date.now() + DELIVERY_WAIT_MS;
      while (Date.now() < deadline && accepted.some((a) => !receivers!.arrivals.has(a.groupId)))
        await sleep(250);
      const delays = accepted
        .filter((a) => receivers!.arrivals.has(a.groupId))
        .map((a) => receivers!.arrivals.get(a.groupId)! - a.at)
        .sort((x, y) => x - y);
      return {
        healthyDeliveries: `${delays.length} of ${accepted.length} within ${seconds(DELIVERY_WAIT_MS)} s of the load's end`,
        healthyDelayP50s: delays.length ? seconds(percentile(delays, 50)) : null,
        healthyDelayMaxs: delays.length ? seconds(delays.at(-1)!) : null,
        healthyUndelivered: accepted.length - delays.length,
        hangingRequestsHeld: receivers!.hanging(),
      };
    },
    async cleanup(ctx, tenant) {
      for (const id of endpointIds.splice(0))
        await request(ctx.stack.apiUrl, 'DELETE', `/v1/webhooks/${id}`, { token: tenant.ownerToken });
      await receivers?.close();
      receivers = null;
    },
  };
}
