import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { JOB_QUEUES, JobProducer } from '@medstock/contracts';
import { migrateAll } from '@medstock/db';
import pg from 'pg';
import { request } from '../chaos/http-client.ts';
import type { ManagedProcess } from '../chaos/managed-process.ts';
import { apiProcess, stackEnv, workerProcess } from '../chaos/stack.ts';
import { setUpTenant } from '../chaos/tenant-setup.ts';
import { pollUntil, seconds, sleep } from '../chaos/timing.ts';
import { startReceivers } from '../chaos/webhook-receivers.ts';
import { freePort, type RunningService, startPostgres, startRedis } from '../local/services.ts';
import { percentile, table } from './harness.ts';
import { type Cells, cellsSupported, oneCell, SECOND_CELL_ENV, twoCells } from './scale/cells.ts';
import {
  committedGroups,
  deliveryLog,
  outboxLeft,
  postMovements,
  recalculationCoverage,
  type ScaleTenant,
} from './scale/movement-events.ts';
import {
  countHousekeepingTicks,
  recordHousekeepingRuns,
  scheduledOrganizations,
} from './scale/schedule-runs.ts';

const failedStarts: string[] = [];

/** utime, stime, cutime, cstime of a process, in seconds (USER_HZ 100), and its parent. */
function procTimes(pid: number | string): { own: number; reaped: number; ppid: number } | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name: ppid 2nd, utime 12th, stime 13th, cutime 14th, cstime 15th.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(f[1]),
      own: (Number(f[11]) + Number(f[12])) / 100,
      reaped: (Number(f[13]) + Number(f[14])) / 100,
    };
  } catch {
    return null;
  }
}

/**
 * CPU seconds of the PostgreSQL instances with these data folders: each postmaster with the
 * backends it has reaped, plus its live children (a backend that exits moves from one to the other).
 */
function postgresCpuSeconds(dataDirs: readonly string[]): number {
  const masters = new Set<number>();
  for (const dir of dataDirs) {
    try {
      masters.add(Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]));
    } catch {}
  }
  let total = 0;
  for (const pid of masters) {
    const t = procTimes(pid);
    if (t) total += t.own + t.reaped;
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const t = procTimes(entry);
    if (t && masters.has(t.ppid)) total += t.own;
  }
  return total;
}

/** CPU seconds (user + system) the processes have used since they started, from /proc. */
/** median / p95 / max of a sample (median / max without p95). */
function spread(values: number[], withP95 = true): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => Math.round(percentile(sorted, p));
  return (withP95 ? [at(50), at(95), at(100)] : [at(50), at(100)]).join(' / ');
}

function cpuSeconds(procs: readonly ManagedProcess[]): number {
  let ticks = 0;
  for (const p of procs) {
    try {
      // Fields after the command name: utime and stime are the 12th and 13th.
      const stat = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {}
  }
  return ticks / 100; // USER_HZ
}

/**
 * Starts a process, again after a failed start: other work in the same checkout may leave a file
 * half-edited for a moment. Returns when the attempt that came up was launched.
 */
async function startRetrying(proc: ManagedProcess, log: (s: string) => void): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const at = Date.now();
    const exits = proc.unexpectedExits.length;
    try {
      await proc.start();
      return at;
    } catch (err) {
      if (attempt >= 6) throw err;
      // Reported as a failed start, not as a crash of a running process.
      proc.unexpectedExits.splice(exits);
      failedStarts.push(proc.name);
      log(
        `${proc.name} did not start (${String(err).split('\n').slice(-3).join(' ').slice(0, 200)}); again in 10 s`,
      );
      await proc.stop();
      await sleep(10_000);
    }
  }
}

/**
 * `pnpm bench scale` (issue 12): the scale-out on this machine — two API processes, two worker
 * processes, two database cells, a hundred organisations signed up through the API — showing that
 * each scheduled job runs once per organisation and tick across both workers, that every movement
 * posted through either API is delivered to its webhook exactly once and recalculated, and how
 * many events per second one worker and two workers handle (the same backlog, the same run).
 *
 * Counts come from the database (a trigger on the housekeeping stamp, the ledgers, the outbox, the
 * delivery log) and from the local webhook receiver, never from logs.
 */
export async function run() {
  const env = process.env;
  const orgCount = Number(env.SCALE_ORGS ?? 100);
  const housekeepingMs = Number(env.SCALE_HOUSEKEEPING_MS ?? 30_000);
  const windowMs = Number(env.SCALE_WINDOW_S ?? 90) * 1000;
  const liveCount = Number(env.SCALE_LIVE_MOVEMENTS ?? 600);
  const backlog = Number(env.SCALE_BACKLOG ?? 800);
  const rounds = Number(env.SCALE_ROUNDS ?? 2);
  const root = resolve(import.meta.dirname, '../..');
  const dataDir = mkdtempSync(join(tmpdir(), 'medstock-scale-'));
  chmodSync(dataDir, 0o755);
  const logDir = resolve(root, '.local/bench/scale-logs');
  rmSync(logDir, { recursive: true, force: true });
  mkdirSync(logDir, { recursive: true });
  const services: RunningService[] = [];
  const processes: ManagedProcess[] = [];
  const pools: pg.Pool[] = [];
  const receivers = await startReceivers();
  let cellsOrNone: Cells | undefined;
  const step = (s: string) => console.log(`  · ${new Date().toISOString().slice(11, 19)} ${s}`);

  try {
    step(`starting PostgreSQL (cell 1, with the control plane) and Redis; logs in ${logDir}`);
    const [cellA, redis] = await Promise.all([
      startPostgres({ dataDir: join(dataDir, 'pg-a'), database: 'medstock', fast: true, ephemeral: true }),
      startRedis({ dataDir: join(dataDir, 'redis') }),
    ]);
    services.push(cellA, redis);
    const control = new pg.Pool({ connectionString: cellA.url, max: 4 });
    pools.push(control);
    control.on('error', () => {});
    await migrateAll(control);
    await recordHousekeepingRuns(control);

    let secondCellUrl: string | undefined;
    if (await cellsSupported(control)) {
      step('starting a second PostgreSQL instance and registering it as cell b (pnpm tenant cells add b)');
      const cellB = await startPostgres({
        dataDir: join(dataDir, 'pg-b'),
        database: 'medstock',
        fast: true,
        ephemeral: true,
      });
      services.push(cellB);
      secondCellUrl = cellB.url;
      cellsOrNone = await twoCells(cellA.url, cellB.url);
    } else {
      cellsOrNone = oneCell(
        control,
        'SECOND CELL NOT AVAILABLE: this checkout has no database cells (control.cells); every organisation ran on one PostgreSQL instance.',
      );
      step(cellsOrNone.note!);
    }
    const cells = cellsOrNone;

    const pgDirs = [join(dataDir, 'pg-a'), join(dataDir, 'pg-b')];
    const ports = [await freePort(), await freePort()];
    const base = stackEnv({ databaseUrl: cellA.url, redisUrl: redis.url, port: ports[0]!, dataDir });
    // Production's job locks, not the chaos tool's short ones (a busy 2-core machine would stall
    // jobs and run them twice); housekeeping every few seconds so a short run sees many ticks.
    delete base.WORKER_LOCK_DURATION_MS;
    delete base.WORKER_STALLED_INTERVAL_MS;
    delete base.ENGINE_BATCH_SIZE;
    base.HOUSEKEEPING_EVERY_MS = String(housekeepingMs);
    if (secondCellUrl) base[SECOND_CELL_ENV] = secondCellUrl;
    const queueRedis = { url: redis.url, prefix: base.QUEUE_PREFIX! };
    const apiUrls = ports.map((p) => `http://127.0.0.1:${p}`);
    const apis = ports.map((p, i) =>
      apiProcess(
        `api-${i + 1}`,
        { ...base, PORT: String(p), PUBLIC_URL: apiUrls[i] },
        join(logDir, `api-${i + 1}.log`),
      ),
    );
    const workers = [1, 2].map((n) => workerProcess(`worker-${n}`, base, join(logDir, `worker-${n}.log`)));
    processes.push(...apis, ...workers);
    step('starting 2 API and 2 worker processes');
    await Promise.all([...apis, ...workers].map((p) => startRetrying(p, step)));

    step(
      `signing up ${orgCount} organisations through both APIs (e-mail confirmation, items, stock, a webhook)`,
    );
    const t0 = Date.now();
    const tenants: ScaleTenant[] = new Array(orgCount);
    let nextOrg = 0;
    await Promise.all(
      Array.from({ length: 6 }, async () => {
        while (nextOrg < orgCount) {
          const i = nextOrg++;
          const api = apiUrls[i % 2]!;
          const t = await setUpTenant(api, `scale-${i}`, base.MAIL_DIR!, {
            items: 2,
            historyDays: [21, 14, 7],
          });
          const hook = await request(api, 'POST', '/v1/webhooks', {
            token: t.ownerToken,
            body: { url: receivers.healthyUrl, events: ['movement.created'] },
          });
          if (hook.status !== 201)
            throw new Error(`webhook set-up failed: ${hook.status} ${JSON.stringify(hook.body)}`);
          tenants[i] = { ...t, pool: control, cell: 'main' };
        }
      }),
    );
    // One move at a time, after the sign-ups: a move and a schema migration (a new organisation's
    // provisioning) exclude each other.
    const m0 = Date.now();
    for (const [i, t] of tenants.entries()) Object.assign(t, await cells.place(t.organizationId, i));
    await cells.settle();
    step(`placement done in ${seconds(Date.now() - m0)} s`);
    step(`set up in ${seconds(Date.now() - t0)} s; cells: ${cells.describe(tenants)}`);
    await pollUntil(async () => (await outboxLeft(tenants)) === 0, 120_000, 1000);
    // The workers add a new organisation's schedulers on their next schedule sync (every minute).
    const ids = tenants.map((t) => t.organizationId);
    const scheduledAt = await pollUntil(
      async () => (await scheduledOrganizations(queueRedis, ids)) === ids.length,
      150_000,
      2000,
    );
    step(
      scheduledAt === null
        ? 'not every organisation got its schedulers within 150 s (counted below as missed ticks)'
        : `every organisation scheduled ${seconds(scheduledAt - t0)} s after set-up began`,
    );

    // (a) and (b) with both workers: scheduled ticks counted over a window while movements arrive
    // through both APIs.
    step(`both workers: ${seconds(windowMs)} s window, ${liveCount} movements posted through both APIs`);
    const windowFrom = Date.now();
    const live = await postMovements(apiUrls, tenants, 'scale-live', liveCount, 4);
    await sleep(Math.max(0, windowFrom + windowMs - Date.now()));
    const windowTo = Date.now();
    // A tick late in the window runs a moment later: give its run one period.
    await sleep(housekeepingMs);
    const ticks = await countHousekeepingTicks(
      control,
      queueRedis,
      tenants.map((t) => t.organizationId),
      { from: windowFrom, to: windowTo, graceMs: housekeepingMs },
    );

    // (c) The same backlog handled by one worker, then by two: the workers of the round are
    // started first and are idle and ready; the queues that carry the events (recalculation
    // drains, webhook deliveries) are paused while the backlog is posted, then resumed; timed at
    // the receiver. A worker's start-up (TypeScript compiled on the fly, its engine threads)
    // would otherwise take the cores from the one already working, on a 2-core machine.
    const eventQueues = [JOB_QUEUES['recalculate-drain'], JOB_QUEUES['webhook-delivery']];
    const queues = new JobProducer({
      REDIS_URL: queueRedis.url,
      QUEUE_PREFIX: queueRedis.prefix,
      RECALC_DRAIN_WINDOW_MS: 0,
    });
    const drain = async (tag: string, running: ManagedProcess[]) => {
      await Promise.all(workers.filter((w) => !running.includes(w)).map((w) => w.stop()));
      await Promise.all(running.map((w) => startRetrying(w, step)));
      await Promise.all(eventQueues.map((q) => queues.queue(q).pause()));
      step(
        `${running.length} worker(s) ready, event queues paused; posting a backlog of ${backlog} movements (${tag})`,
      );
      const posted = await postMovements(apiUrls, tenants, tag, backlog, 16);
      const groups = await committedGroups(tenants, tag);
      const firstArrival = new Map<string, number>();
      const seen = receivers.received.length;
      step('event queues resumed');
      const startedAt = Date.now();
      await Promise.all(eventQueues.map((q) => queues.queue(q).resume()));
      // Worker CPU between the 10th and the 90th percentile arrival: whether the workers had the
      // cores to themselves or waited for them (a shared 2-core machine).
      const cpu: number[] = [];
      const done = await pollUntil(
        async () => {
          for (const r of receivers.received.slice(seen))
            if (r.groupId && groups.has(r.groupId) && !firstArrival.has(r.groupId))
              firstArrival.set(r.groupId, r.at);
          const mark = cpu.length === 0 ? 0.1 : cpu.length === 3 ? 0.9 : null;
          if (mark !== null && firstArrival.size >= groups.size * mark)
            cpu.push(Date.now(), cpuSeconds(running), postgresCpuSeconds(pgDirs));
          return firstArrival.size >= groups.size;
        },
        180_000,
        200,
      );
      const outboxEmptyAt = await pollUntil(async () => (await outboxLeft(tenants)) === 0, 120_000, 500);
      const times = [...firstArrival.values()].sort((a, b) => a - b);
      // The steady rate between the 10th and the 90th percentile arrival: start-up of the
      // processes (the same for one or two, started in parallel) stays out of it.
      const lo = times[Math.floor(times.length * 0.1)] ?? startedAt;
      const hi = times[Math.floor(times.length * 0.9)] ?? startedAt;
      // Cores used between the two marks: [at, workers, postgres] at 10 % and at 90 %.
      const cores = (k: 1 | 2) =>
        cpu.length === 6
          ? Math.round(((cpu[3 + k]! - cpu[k]!) / ((cpu[3]! - cpu[0]!) / 1000)) * 100) / 100
          : '?';
      return {
        tag,
        posted,
        committed: groups.size,
        delivered: firstArrival.size,
        complete: done !== null,
        rate: hi > lo ? Math.round((Math.floor(times.length * 0.8) / (hi - lo)) * 1000) : 0,
        drainS: seconds((times.at(-1) ?? startedAt) - startedAt),
        // Cores the workers used in that stretch, and the machine's load average at the end.
        cores: cores(1),
        postgresCores: cores(2),
        load: Math.round(loadavg()[0]! * 10) / 10,
        outboxS: outboxEmptyAt === null ? 'not empty' : seconds(outboxEmptyAt - startedAt),
      };
    };
    // One worker and two take turns, so the shared machine's changing load weighs on both alike.
    type Drain = Awaited<ReturnType<typeof drain>>;
    const one: Drain[] = [];
    const two: Drain[] = [];
    for (let r = 1; r <= rounds; r++) {
      one.push(await drain(`scale-w1r${r}`, [workers[0]!]));
      two.push(await drain(`scale-w2r${r}`, workers));
    }
    await queues.close();
    const drains = [...one, ...two];
    const mean = (xs: number[]) => Math.round(xs.reduce((a, b) => a + b, 0) / xs.length);
    const rate1 = mean(one.map((d) => d.rate));
    const rate2 = mean(two.map((d) => d.rate));
    const pairs = (f: (d: Drain) => string | number) =>
      one.map((d, i) => `${f(d)} vs ${f(two[i]!)}`).join('; ');

    // (b) over the whole run, once everything settled with both workers.
    await pollUntil(async () => (await outboxLeft(tenants)) === 0, 60_000, 1000);
    const allGroups = new Set<string>();
    for (const tag of ['scale-live', ...drains.map((d) => d.tag)])
      for (const g of await committedGroups(tenants, tag)) allGroups.add(g);
    await pollUntil(
      async () => allGroups.size <= new Set(receivers.received.map((r) => r.groupId)).size,
      60_000,
      500,
    );
    const perGroup = new Map<string, number>();
    for (const r of receivers.received)
      if (r.groupId && allGroups.has(r.groupId)) perGroup.set(r.groupId, (perGroup.get(r.groupId) ?? 0) + 1);
    const duplicates = [...perGroup.values()].reduce((a, n) => a + n - 1, 0);
    const lost = [...allGroups].filter((g) => !perGroup.has(g)).length;
    const posts = [live, ...drains.map((d) => d.posted)];
    const sum = (f: (p: (typeof posts)[number]) => number) => posts.reduce((a, p) => a + f(p), 0);
    const accepted = sum((p) => p.accepted);
    const byApi = [0, 1].map((i) => sum((p) => p.byApi[i]!));
    const refused = sum((p) => p.refused);
    const gaveUp = sum((p) => p.gaveUp);
    const log = await deliveryLog(tenants);
    const coverage = await recalculationCoverage(tenants, 'scale-');
    const left = await outboxLeft(tenants);
    const exits = processes.flatMap((p) => p.unexpectedExits.map((e) => `${e.name} (${e.code ?? e.signal})`));

    const rows = [
      { measure: 'processes', value: '2 API + 2 worker (child processes), 1 Redis' },
      { measure: 'database cells', value: cells.describe(tenants) },
      { measure: 'organisations (signed up through the APIs)', value: tenants.length },
      {
        measure: `housekeeping ticks in ${seconds(windowTo - windowFrom)} s, every ${seconds(ticks.periodMs)} s: expected`,
        value: ticks.expected,
      },
      {
        measure: 'ticks that ran / missed / run twice or more (extra runs)',
        value: `${ticks.ran} / ${ticks.missed} / ${ticks.duplicates}`,
      },
      {
        measure: 'tick to its run (s): median / largest',
        value: `${seconds(ticks.delayMs.median)} / ${seconds(ticks.delayMs.max)}`,
      },
      { measure: 'organisations without a scheduler', value: ticks.unscheduled },
      {
        measure: 'movements accepted (API 1 + API 2)',
        value: `${accepted} (${byApi[0]} + ${byApi[1]}); refused ${refused}, gave up ${gaveUp}`,
      },
      { measure: 'movement groups committed in the ledgers', value: allGroups.size },
      {
        measure: 'movement.created webhooks received: distinct / duplicates / lost',
        value: `${perGroup.size} / ${duplicates} / ${lost}`,
      },
      {
        measure: 'delivery log: deliveries / succeeded / attempts',
        value: `${log.deliveries} / ${log.succeeded} / ${log.attempts}`,
      },
      {
        measure: 'item-locations moved / recalculated after their last movement / outbox left',
        value: `${coverage.moved} / ${coverage.recalculated} / ${left}`,
      },
      {
        measure: `backlog of ${backlog}, ${rounds} rounds each: events/s, 1 worker vs 2 workers (mean)`,
        value: `${rate1} vs ${rate2} (×${rate1 ? Math.round((rate2 / rate1) * 100) / 100 : '?'})`,
      },
      { measure: 'events/s by round, 1 vs 2 workers', value: pairs((d) => d.rate) },
      {
        measure: 'last webhook after the start (s) by round, 1 vs 2 workers',
        value: `${pairs((d) => d.drainS)}${drains.every((d) => d.complete) ? '' : ' (incomplete!)'}`,
      },
      {
        measure: 'recalculation outbox empty after (s) by round, 1 vs 2 workers',
        value: pairs((d) => d.outboxS),
      },
      { measure: 'worker CPU used (cores) by round, 1 vs 2 workers', value: pairs((d) => d.cores) },
      {
        measure: 'PostgreSQL CPU, both cells (cores) by round, 1 vs 2 workers',
        value: pairs((d) => d.postgresCores),
      },
      { measure: 'machine load average (1 min) by round, 1 vs 2 workers', value: pairs((d) => d.load) },
      {
        measure: `writes paused per move (ms): median / p95 / max, ${cells.moves.length} moves (rows copied: median / max)`,
        value: cells.moves.length
          ? `${spread(cells.moves.map((m) => m.pausedMs))} (${spread(
              cells.moves.map((m) => m.rows),
              false,
            )})`
          : 'no moves (one cell)',
      },
      { measure: 'unexpected process exits', value: exits.length ? exits.join(', ') : 'none' },
      { measure: 'process starts retried', value: failedStarts.length ? failedStarts.join(', ') : 'none' },
    ];
    console.log(`\n## Scale-out (issue 12)\n\n${table(rows)}\n`);
    if (cells.note) console.log(cells.note);
    return rows;
  } finally {
    await Promise.allSettled(processes.map((p) => p.close()));
    await receivers.close();
    await cellsOrNone?.close();
    await Promise.allSettled(pools.map((p) => p.end()));
    await Promise.allSettled(services.map((s) => s.stop()));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await run();
  process.exit(0);
}
