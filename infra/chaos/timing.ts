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
