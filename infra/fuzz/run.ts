import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Writable } from 'node:stream';
import { parseArgs } from 'node:util';
import { startSmtpCapture } from '../../api/test/support/smtp-capture.ts';
import { PASSWORD, signUp } from '../../api/test/support/test-app.ts';
import { benchServices } from '../bench/harness.ts';
import { seedFuzzTarget } from './fuzz-fixtures.ts';
import { describeFailure, runFuzz, send, summarise } from './fuzz-run.ts';
import type { FuzzRequest, OpenApiDocument } from './openapi-requests.ts';

/**
 * `pnpm fuzz`: the OpenAPI-driven fuzzer against the real API on its own throw-away PostgreSQL
 * and Redis. `--count` (FUZZ_COUNT, default 10,000) requests from `--seed` (FUZZ_SEED, default
 * a fresh one, printed); prints the per-status counts and every failure with a replayable request;
 * `--replay '<json>'` sends one printed request again. Exits 1 when anything failed.
 */
const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    count: { type: 'string' },
    replay: { type: 'string' },
    concurrency: { type: 'string' },
  },
});
const seed = Number(values.seed ?? process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const count = Number(values.count ?? process.env.FUZZ_COUNT ?? 10_000);
const concurrency = Number(values.concurrency ?? process.env.FUZZ_CONCURRENCY ?? 4);
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(count) || count < 1) {
  console.error('usage: pnpm fuzz [--seed N] [--count N] [--concurrency N] [--replay <request json>]');
  process.exit(2);
}

const root = resolve(import.meta.dirname, '../..');
const doc = JSON.parse(readFileSync(resolve(root, 'openapi/openapi.json'), 'utf8')) as OpenApiDocument;

// Error-level log lines by request id, to show what the server saw behind each 5xx.
const errorsByRequest = new Map<string, string[]>();
const logStream = new Writable({
  write(chunk, _enc, done) {
    for (const line of String(chunk).split('\n').filter(Boolean)) {
      try {
        const entry = JSON.parse(line) as {
          level: number;
          reqId?: string;
          err?: { type?: string; message?: string; code?: string; stack?: string };
        };
        if (entry.level >= 50 && entry.reqId) {
          const err = entry.err;
          const text = err
            ? `${err.type ?? 'Error'}${err.code ? ` ${err.code}` : ''}: ${err.message ?? ''}\n${err.stack?.split('\n').slice(1, 4).join('\n') ?? ''}`
            : line;
          errorsByRequest.set(entry.reqId, [...(errorsByRequest.get(entry.reqId) ?? []), text]);
        }
      } catch {}
    }
    done();
  },
});

const { buildApp } = await import('@medstock/api/app.ts');
const { createDeps } = await import('@medstock/api/create-deps.ts');
const svc = await benchServices('fuzz');
// Sign-up confirmation goes by e-mail: a local SMTP capture receives it, as in the tests.
const mail = await startSmtpCapture();
const deps = await createDeps({ ...svc.config, LOG_LEVEL: 'error', SMTP_URL: mail.url });
const app = await buildApp(deps, { logStream });
await app.ready();
let exitCode = 1;
try {
  const owner = await signUp({ app, mail });
  const target = await seedFuzzTarget(app, {
    email: owner.email,
    password: PASSWORD,
    headers: owner.headers,
  });
  if (values.replay) {
    const request = JSON.parse(values.replay) as FuzzRequest;
    const res = await send(app, target, request);
    console.log(`${request.method} ${request.url} → ${res.statusCode}\n${res.body.slice(0, 2_000)}`);
    for (const e of errorsByRequest.get(String(res.headers['x-request-id'])) ?? []) console.log(e);
    exitCode = res.statusCode >= 500 ? 1 : 0;
  } else {
    const started = Date.now();
    const report = await runFuzz(app, doc, target, {
      seed,
      count,
      concurrency,
      onBatch: (done, r) => {
        if (done % 1_000 === 0 || done === count)
          console.log(`  ${done}/${count} requests, ${r.failures.length} failures`);
      },
    });
    for (const f of report.failures) {
      console.log(describeFailure(f));
      const id = (() => {
        try {
          return String(JSON.parse(f.body).requestId);
        } catch {
          return '';
        }
      })();
      for (const e of errorsByRequest.get(id) ?? [])
        console.log(`  server: ${e.replace(/\n/g, '\n          ')}`);
    }
    const slowest = Object.entries(report.msByOperation)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 5)
      .map(([op, ms]) => `${op} ${(ms / 1000).toFixed(1)} s`);
    console.log(`slowest operations: ${slowest.join('; ')}`);
    console.log(`${summarise(report)} (${Math.round((Date.now() - started) / 1000)} s)`);
    console.log(`reproduce: pnpm fuzz --seed ${seed} --count ${count}`);
    exitCode = report.failures.length ? 1 : 0;
  }
} finally {
  await app.close();
  await deps.close();
  await Promise.allSettled([mail.close(), svc.stop()]);
}
process.exit(exitCode);
