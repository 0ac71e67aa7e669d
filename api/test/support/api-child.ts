import { loadConfig } from '@medstock/config';
import { buildApp } from '../../src/app.ts';
import { createDeps } from '../../src/create-deps.ts';

/**
 * The real API in a process of its own, for tests that kill it with SIGKILL mid-request. It
 * prints `listening <port>` once up. With MEDSTOCK_TEST_STALL_AFTER_COMMIT=<Idempotency-Key>,
 * the request holding that key stops after its change committed and before its response is
 * recorded (it prints `stalled <key>` and waits for ever): the moment a crash loses a response.
 */
const config = loadConfig();
const deps = await createDeps(config);
const stallKey = process.env.MEDSTOCK_TEST_STALL_AFTER_COMMIT;
if (stallKey) {
  const pool = deps.database.pool;
  const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
  // The idempotency plugin records the response with this statement, after the handler's commit.
  (pool as unknown as { query: (...args: unknown[]) => Promise<unknown> }).query = (...args: unknown[]) => {
    const [text, params] = args as [unknown, unknown[] | undefined];
    if (typeof text === 'string' && /set state = 'done'/.test(text) && params?.[1] === stallKey) {
      process.stdout.write(`stalled ${stallKey}\n`);
      return new Promise(() => {});
    }
    return query(...args);
  };
}
const app = await buildApp(deps, { logger: false });
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(`listening ${typeof address === 'object' && address ? address.port : 0}\n`);
