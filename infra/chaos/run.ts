import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { LedgerAudit } from './ledger-audit.ts';
import { formatReport, type ScenarioOutcome, writeJson } from './report.ts';
import { postgresRestart, redisRestart } from './scenarios/dependency-restarts.ts';
import { hangingReceiver } from './scenarios/hanging-receiver.ts';
import { apiKill, workerKill } from './scenarios/process-kills.ts';
import { runScenario, type ScenarioDefinition } from './scenarios/scenario.ts';
import { externalStack, killStackNow, type Stack, startOwnStack } from './stack.ts';
import { seconds } from './timing.ts';

/**
 * `pnpm chaos`: fault scenarios against a running medstock, each with its own organisation and
 * workload, measured from the clients' side and from the ledger. Exits 0 whatever the figures:
 * it is a measurement, the missed targets are marked in the table.
 *
 *   pnpm chaos                                 starts its own stack, runs every scenario
 *   pnpm chaos --only api-kill,redis-restart   a subset
 *   pnpm chaos --api URL --database-url URL [--mail-dir DIR]
 *                                              an existing stack (scenarios that kill nothing)
 */
const SCENARIOS: ScenarioDefinition[] = [
  postgresRestart,
  redisRestart,
  workerKill,
  apiKill,
  hangingReceiver(),
];

const { values: args } = parseArgs({
  options: {
    api: { type: 'string' },
    'database-url': { type: 'string' },
    'mail-dir': { type: 'string', default: resolve(import.meta.dirname, '../../.local/mail') },
    only: { type: 'string' },
    seed: { type: 'string', default: '1' },
    'give-up': { type: 'string', default: '30' },
    'alerts-timeout': { type: 'string', default: '20' },
    json: { type: 'string', default: resolve(import.meta.dirname, '../../bench-results/chaos.json') },
  },
});

const started = Date.now();
const log = (line: string) => console.log(`[chaos +${seconds(Date.now() - started)}s] ${line}`);

const wanted = args.only?.split(',').map((s) => s.trim());
const unknown = wanted?.filter((n) => !SCENARIOS.some((s) => s.name === n)) ?? [];
if (unknown.length) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}
if (args.api && !args['database-url']) {
  console.error('--api needs --database-url too: lost and doubled writes are counted in the ledger.');
  process.exit(2);
}

let stack: Stack | null = null;
let starting: Promise<Stack> | null = null;
let tearingDown: Promise<void> | null = null;
let interrupted = false;
// A stack still starting is torn down once it is up (or it tears itself down if its start fails).
const teardown = () =>
  (tearingDown ??= (async () => {
    const s = stack ?? (await starting?.catch(() => null));
    await s?.teardown();
  })().catch(() => {}));
process.on('exit', () => killStackNow(stack));
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    log(`${signal}: stopping the stack`);
    interrupted = true;
    setTimeout(() => process.exit(130), 90_000).unref();
    void teardown().then(() => process.exit(130));
  });
}

const outcomes: ScenarioOutcome[] = [];
let fatal: string | null = null;
try {
  starting = args.api
    ? Promise.resolve(externalStack(args.api, args['database-url']!, args['mail-dir']))
    : startOwnStack(log);
  stack = await starting;
  const audit = new LedgerAudit(stack.databaseUrl);
  const ctx = {
    stack,
    audit,
    log,
    giveUpMs: Number(args['give-up']) * 1000,
    alertsTimeoutMs: Number(args['alerts-timeout']) * 1000,
    seed: Number(args.seed),
  };
  for (const def of SCENARIOS.filter((s) => !wanted || wanted.includes(s.name))) {
    if (interrupted) break;
    if (def.needsControl && !stack.control) {
      outcomes.push({
        status: 'skipped',
        name: def.name,
        title: def.title,
        reason: 'needs the stack the chaos tool starts itself',
      });
      continue;
    }
    try {
      outcomes.push({ status: 'ran', result: await runScenario(ctx, def) });
    } catch (err) {
      log(`${def.name} failed: ${(err as Error).stack}`);
      outcomes.push({ status: 'failed', name: def.name, title: def.title, reason: (err as Error).message });
      await stack.takeUnexpectedExits().catch(() => {});
    }
  }
  await audit.close();
} catch (err) {
  fatal = (err as Error).message;
  console.error(`chaos: ${(err as Error).stack}`);
}
await teardown();

console.log(`\n${formatReport(outcomes)}`);
if (fatal) console.log(`\nthe run stopped early: ${fatal.split('\n')[0]}`);
writeJson(args.json, outcomes, {
  at: new Date().toISOString(),
  node: process.version,
  stack: args.api ? 'external' : 'own',
  fatal,
  seconds: seconds(Date.now() - started),
});
if (stack?.control) console.log(`\nAPI and worker logs: ${stack.control.logDir}`);
console.log(`written to ${args.json} (${seconds(Date.now() - started)} s)`);
process.exit(0);
