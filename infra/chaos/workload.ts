import { stats } from '@medstock/core';
import { AttemptStats, type Outcome, postUntilDefinitive, request } from './http-client.ts';
import type { ChaosTenant } from './tenant-setup.ts';
import { sleep } from './timing.ts';

/** One logical movement request: its Idempotency-Key doubles as the ledger `reference`. */
export interface Operation {
  key: string;
  body: Record<string, unknown>;
  startedAt: number;
  outcome?: Outcome;
}

export interface WorkloadOptions {
  clients: number;
  /** Pause between one client's requests (the clients are integrations, not a load test). */
  pauseMs: number;
  seed: number;
  /** A reader polls GET /v1/alerts and /v1/stock meanwhile: an outage must not make reads hang either. */
  reader: boolean;
}

export interface RunningWorkload {
  /** Clients start no new request; the ones in flight keep retrying until definitive or `giveUpAt`. */
  finish(giveUpAt: number): Promise<WorkloadResult>;
}

export interface WorkloadResult {
  operations: Operation[];
  writes: AttemptStats;
  reads: AttemptStats;
  /** When the last operation got its definitive answer. */
  settledAt: number;
}

/**
 * Several clients post movements as integrations do: issues (that cross reorder points and stock
 * items out), receipts, and transfers between the central store and the ward in both directions
 * on the same two "hot" items, so opposite transfers of one item and lot meet.
 */
function nextBody(t: ChaosTenant, rnd: () => number): Record<string, unknown> {
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const locations = [t.centralId, t.wardId];
  const r = rnd();
  if (r < 0.25) {
    const from = pick(locations);
    return {
      type: 'transfer',
      itemId: pick(t.itemIds.slice(0, 2)),
      locationId: from,
      toLocationId: from === t.centralId ? t.wardId : t.centralId,
      quantity: 1 + Math.floor(rnd() * 4),
    };
  }
  if (r < 0.35)
    return {
      type: 'receipt',
      itemId: pick(t.itemIds),
      locationId: pick(locations),
      quantity: 5 + Math.floor(rnd() * 15),
    };
  return {
    type: 'issue',
    itemId: pick(t.itemIds),
    locationId: pick(locations),
    quantity: 1 + Math.floor(rnd() * 12),
  };
}

export function startWorkload(
  baseUrl: string,
  tenant: ChaosTenant,
  runTag: string,
  opts: WorkloadOptions,
): RunningWorkload {
  const operations: Operation[] = [];
  const writes = new AttemptStats();
  const reads = new AttemptStats();
  let stopping = false;
  let giveUpAt = Number.POSITIVE_INFINITY;
  let settledAt = Date.now();

  const client = async (n: number) => {
    const rnd = stats.mulberry32(opts.seed * 1000 + n);
    for (let seq = 0; !stopping; seq++) {
      const key = `${runTag}-c${n}-${seq}`;
      const op: Operation = {
        key,
        body: { ...nextBody(tenant, rnd), reference: key },
        startedAt: Date.now(),
      };
      operations.push(op);
      op.outcome = await postUntilDefinitive(
        baseUrl,
        '/v1/movements',
        { token: tenant.apiKey, body: op.body, idempotencyKey: key },
        writes,
        () => giveUpAt,
      );
      settledAt = Math.max(settledAt, Date.now());
      await sleep(opts.pauseMs);
    }
  };
  const reader = async () => {
    while (!stopping) {
      for (const path of ['/v1/alerts?limit=20', '/v1/stock?limit=20']) {
        reads.record(await request(baseUrl, 'GET', path, { token: tenant.apiKey }), `GET ${path}`);
      }
      await sleep(250);
    }
  };
  const running = [
    ...Array.from({ length: opts.clients }, (_, n) => client(n)),
    ...(opts.reader ? [reader()] : []),
  ];
  return {
    async finish(deadline) {
      stopping = true;
      giveUpAt = deadline;
      await Promise.all(running);
      return { operations, writes, reads, settledAt };
    },
  };
}
