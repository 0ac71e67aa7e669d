import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { supervise } from '../local/supervise.ts';

const dir = mkdtempSync(join(tmpdir(), 'medstock-supervise-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A stand-in service: writes one line per start to `starts`, stays up until signalled. */
function service(starts: string) {
  return spawn(
    process.execPath,
    [
      '-e',
      `require('node:fs').appendFileSync(${JSON.stringify(starts)}, process.pid + '\\n'); setInterval(() => {}, 1000);`,
    ],
    { stdio: 'ignore' },
  );
}

const startsIn = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []);

async function until<T>(fn: () => T | undefined | false, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const v = fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition not met in time');
}

describe('npm start supervision', () => {
  it('starts a service again after it is killed, and stops it for good when asked', async () => {
    const starts = join(dir, 'starts-1');
    const lines: string[] = [];
    const s = supervise('worker', () => service(starts), { baseDelayMs: 50, log: (l) => lines.push(l) });
    const firstPid = Number((await until(() => startsIn(starts).length === 1 && startsIn(starts)))[0]);
    process.kill(firstPid, 'SIGKILL');
    const second = await until(() => startsIn(starts).length === 2 && startsIn(starts));
    expect(Number(second[1])).not.toBe(firstPid);
    expect(s.restarts).toBe(1);
    expect(lines.join('\n')).toMatch(/worker exited \(SIGKILL\); restarting/);

    await s.stop();
    expect(s.current).toBeNull();
    await new Promise((r) => setTimeout(r, 300));
    expect(startsIn(starts)).toHaveLength(2); // not restarted after a requested stop
  });

  it('backs off while a service keeps crashing at start', async () => {
    const lines: string[] = [];
    const s = supervise(
      'api',
      () => spawn(process.execPath, ['-e', 'process.exit(3)'], { stdio: 'ignore' }),
      { baseDelayMs: 20, maxDelayMs: 80, log: (l) => lines.push(l) },
    );
    await until(() => s.restarts >= 4);
    await s.stop();
    const delays = lines.map((l) => Number(/restarting in (\d+) ms/.exec(l)?.[1]));
    expect(delays.slice(0, 4)).toEqual([20, 40, 80, 80]);
    expect(lines[0]).toMatch(/api exited \(code 3\)/);
  });
});
