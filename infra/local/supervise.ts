import type { ChildProcess } from 'node:child_process';

export interface Supervised {
  /** The running process, or null between a crash and its restart. */
  readonly current: ChildProcess | null;
  /** How many times it has been restarted after exiting. */
  readonly restarts: number;
  /** Stops it for good: SIGTERM, then SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Keeps a process running: when it exits without being asked to (a crash, kill -9, an exit on a
 * fatal error), it is started again after a delay that doubles while it keeps crashing soon after
 * start (`baseDelayMs` up to `maxDelayMs`) and resets once it has stayed up for `stableMs`. One
 * crashed service no longer takes the whole local instance down with it.
 */
export function supervise(
  name: string,
  start: () => ChildProcess,
  opts: {
    log?: (line: string) => void;
    baseDelayMs?: number;
    maxDelayMs?: number;
    stableMs?: number;
  } = {},
): Supervised {
  const log = opts.log ?? ((line) => console.error(line));
  const baseDelay = opts.baseDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 30_000;
  const stableMs = opts.stableMs ?? 30_000;
  let current: ChildProcess | null = null;
  let stopping = false;
  let restarts = 0;
  let delay = baseDelay;
  let timer: NodeJS.Timeout | undefined;

  const launch = () => {
    const startedAt = Date.now();
    const child = start();
    current = child;
    child.once('exit', (code, signal) => {
      if (current === child) current = null;
      if (stopping) return;
      delay = Date.now() - startedAt >= stableMs ? baseDelay : delay;
      log(`medstock: ${name} exited (${signal ?? `code ${code}`}); restarting in ${delay} ms`);
      timer = setTimeout(() => {
        restarts++;
        launch();
      }, delay);
      delay = Math.min(maxDelay, delay * 2);
    });
  };
  launch();

  return {
    get current() {
      return current;
    },
    get restarts() {
      return restarts;
    },
    stop: async (graceMs = 10_000) => {
      stopping = true;
      clearTimeout(timer);
      const child = current;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      await new Promise<void>((resolve) => {
        const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
        kill.unref();
        child.once('exit', () => {
          clearTimeout(kill);
          resolve();
        });
        child.kill('SIGTERM');
      });
    },
  };
}
