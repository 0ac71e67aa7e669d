import { spawn, spawnSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { startPostgres, startRedis } from '../local/services.ts';
import { prepareTemplateDatabase } from './template-database.ts';

/**
 * `npm test`: starts a throw-away PostgreSQL and Redis on free loopback ports (never the demo's,
 * never the machine's), prepares a migrated template database that each test file clones, runs
 * every test with vitest, and ends with the line CI reads: `N passed, N failed`.
 */
const root = resolve(import.meta.dirname, '../..');
// Debian's Chromium for the browser tests in web/test: installed with apt when root and missing,
// otherwise one sentence says what to install (those tests then fail; the others still run).
spawnSync('bash', [resolve(root, 'infra/local/ensure-chromium.sh')], { stdio: 'inherit' });
const runDir = resolve(root, '.test-run', `${process.pid}`);
mkdirSync(runDir, { recursive: true });

const started: Array<{ stop(): Promise<void> }> = [];
let exitCode = 1;
try {
  const [postgres, redis] = await Promise.all([
    startPostgres({
      dataDir: resolve(runDir, 'pg'),
      database: 'medstock_test_admin',
      fast: true,
      ephemeral: true,
    }),
    startRedis({ dataDir: resolve(runDir, 'redis') }),
  ]);
  started.push(postgres, redis);
  await prepareTemplateDatabase(postgres.url);

  const { privateKey } = generateKeyPairSync('ed25519');
  const reportFile = resolve(runDir, 'vitest-report.json');
  const env = {
    ...process.env,
    MEDSTOCK_TEST_ADMIN_URL: postgres.url,
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    JWT_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    QUEUE_PREFIX: `test-${randomBytes(4).toString('hex')}`,
    LOG_LEVEL: 'silent',
    MEDSTOCK_TEST_RUN_DIR: runDir,
  };
  const vitestBin = resolve(root, 'node_modules/vitest/vitest.mjs');
  const args = [
    vitestBin,
    'run',
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
    ...process.argv.slice(2),
  ];
  const code = await new Promise<number>((res) => {
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: 'inherit' });
    child.on('exit', (c) => res(c ?? 1));
  });

  let passed = 0;
  let failed = 0;
  if (existsSync(reportFile)) {
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      testResults: Array<{ status: string; assertionResults: unknown[] }>;
    };
    passed = report.numPassedTests;
    // A test file that fails to load has no test results: count it as a failure.
    failed =
      report.numFailedTests +
      report.testResults.filter((f) => f.status === 'failed' && f.assertionResults.length === 0).length;
  } else {
    failed = 1;
  }
  exitCode = code !== 0 || failed > 0 ? 1 : 0;
  console.log(`${passed} passed, ${failed} failed`);
} catch (err) {
  console.error(err);
  console.log('0 passed, 1 failed');
} finally {
  await Promise.allSettled(started.map((s) => s.stop()));
  rmSync(runDir, { recursive: true, force: true });
}
process.exit(exitCode);
