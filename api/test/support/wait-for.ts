/**
 * Polls `fn` until it returns something truthy (the worker's jobs finish in their own time);
 * fails after `ms` with what was awaited. Not a timed assertion: the limit only ends a hung test.
 */
export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  ms = 60_000,
  what = 'the condition',
): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}
