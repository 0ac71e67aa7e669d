export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Seconds with one decimal, for the report. */
export const seconds = (ms: number) => Math.round(ms / 100) / 10;

/** Polls `check` every `everyMs` until it is true or `timeoutMs` passed; returns when it became true, or null. */
export async function pollUntil(
  check: () => Promise<boolean>,
  timeoutMs: number,
  everyMs = 200,
): Promise<number | null> {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const at = Date.now();
    if (await check().catch(() => false)) return at;
    if (Date.now() > deadline) return null;
    await sleep(everyMs);
  }
}

/** A small seeded PRNG (mulberry32), so a run's workload can be repeated. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
