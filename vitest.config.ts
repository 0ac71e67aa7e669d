import { defineConfig } from 'vitest/config';

// One config for the whole workspace. Integration tests read DATABASE_URL / REDIS_URL that
// infra/test/run.ts sets after starting its own PostgreSQL and Redis.
export default defineConfig({
  test: {
    include: ['{core,db,api,worker,web,infra}/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    fileParallelism: true,
    maxWorkers: 2,
  },
});
