import type pg from 'pg';

const COUNTED = Symbol('counted');

/**
 * Counts the statements the app sends to PostgreSQL through its pool (each is one round trip):
 * every client the pool hands out has its `query` wrapped once. Statements of other connections
 * (a test's own client) are not counted.
 */
export function countPoolStatements(pool: pg.Pool) {
  const statements: string[] = [];
  let counting = false;
  pool.on('acquire', (client) => {
    const c = client as pg.PoolClient & { [COUNTED]?: true };
    if (c[COUNTED]) return;
    c[COUNTED] = true;
    const query = c.query.bind(c) as (...args: unknown[]) => unknown;
    (c as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      if (counting) {
        const q = args[0] as string | { text?: string };
        statements.push(typeof q === 'string' ? q : (q?.text ?? String(q)));
      }
      return query(...args);
    };
  });
  return {
    /** Starts a fresh count. */
    start() {
      statements.length = 0;
      counting = true;
    },
    /** Stops counting; the statements sent since start(). */
    stop(): string[] {
      counting = false;
      return [...statements];
    },
  };
}
