import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { loadConfig } from '@medstock/config';
import { JOB_NAMES, JOB_OPTIONS, JOB_QUEUES, QUEUE_NAMES } from '@medstock/contracts';
import { describe, expect, it } from 'vitest';
import { JOB_REGISTRY } from '../src/jobs/job-registry.ts';
import { queueConcurrency } from '../src/queues.ts';

const root = resolve(import.meta.dirname, '../..');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('job contracts', () => {
  it('every job has a queue, options and a handler; every queue has its own concurrency setting', () => {
    expect(Object.keys(JOB_REGISTRY).sort()).toEqual([...JOB_NAMES].sort());
    for (const name of JOB_NAMES) {
      expect(QUEUE_NAMES).toContain(JOB_QUEUES[name]);
      expect(JOB_OPTIONS[name]).toBeDefined();
    }
    const config = loadConfig({ DATABASE_URL: 'postgres://x', REDIS_URL: 'redis://x', JWT_PRIVATE_KEY: 'x' });
    expect(Object.keys(queueConcurrency(config)).sort()).toEqual([...QUEUE_NAMES].sort());
  });

  it('each kind of work has a queue of its own (issue 12.6)', () => {
    // The sweeper is housekeeping's bookkeeping and the drain a recalculation's: both share their kind's.
    const kinds = {
      recalculate: JOB_QUEUES.recalculate,
      imports: JOB_QUEUES.import,
      backtests: JOB_QUEUES.backtest,
      webhooks: JOB_QUEUES['webhook-delivery'],
      notifications: JOB_QUEUES.notify,
      housekeeping: JOB_QUEUES.housekeeping,
    };
    expect(new Set(Object.values(kinds)).size).toBe(Object.keys(kinds).length);
    expect(JOB_QUEUES['webhook-sweep']).toBe('housekeeping');
    const config = loadConfig({
      DATABASE_URL: 'postgres://x',
      REDIS_URL: 'redis://x',
      JWT_PRIVATE_KEY: 'x',
      NOTIFY_CONCURRENCY: '5',
      WEBHOOK_CONCURRENCY: '7',
    });
    expect(queueConcurrency(config)[JOB_QUEUES.notify]).toBe(5);
    expect(queueConcurrency(config)[JOB_QUEUES['webhook-delivery']]).toBe(7);
  });

  it('the API enqueues only through @medstock/contracts, never through worker or BullMQ internals', () => {
    const offending = sources(resolve(root, 'api/src')).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      return [
        ...text.matchAll(
          /from '(bullmq|@medstock\/worker\/(?:queues|jobs\/[^']*|webhooks\/delivery-queue)\.ts)'/g,
        ),
      ].map((m) => `${relative(root, file)}: ${m[1]}`);
    });
    expect(offending).toEqual([]);
  });
});
