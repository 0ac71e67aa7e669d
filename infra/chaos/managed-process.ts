import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { resolve } from 'node:path';

/** One exit of a child the chaos tool did not ask for (a crash the product should not have). */
export interface UnexpectedExit {
  name: string;
  at: number;
  code: number | null;
  signal: string | null;
}

/**
 * The API or the worker as a child process (`node --import tsx <entry>`), which a scenario may
 * kill with SIGKILL and start again with the same environment. Output goes to a log file; an exit
 * nobody asked for is recorded, because "the worker died when PostgreSQL restarted" is a finding.
 */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private expectingExit = false;
  private log: WriteStream;
  readonly unexpectedExits: UnexpectedExit[] = [];

  constructor(
    readonly name: string,
    private readonly entry: string,
    private readonly env: NodeJS.ProcessEnv,
    private readonly cwd: string,
    logFile: string,
    /** Resolves when the process is ready to work (an HTTP probe, a start-up line). */
    private readonly ready: (proc: ManagedProcess, output: () => string) => Promise<void>,
  ) {
    this.log = createWriteStream(resolve(logFile), { flags: 'a' });
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== null && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.expectingExit = false;
    let output = '';
    const child = spawn(process.execPath, ['--import', 'tsx', this.entry], {
      cwd: this.cwd,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (d: Buffer) => {
      this.log.write(d);
      output = (output + d).slice(-8000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.log.write(`\n--- chaos: started ${this.name} (pid ${child.pid}) at ${new Date().toISOString()}\n`);
    child.once('exit', (code, signal) => {
      this.log.write(`--- chaos: ${this.name} exited (code ${code}, signal ${signal})\n`);
      if (!this.expectingExit) this.unexpectedExits.push({ name: this.name, at: Date.now(), code, signal });
    });
    await this.ready(this, () => output);
  }

  /** SIGKILL: no shutdown hooks run, in-flight work is cut off mid-way. */
  async kill9(): Promise<void> {
    await this.signalAndWait('SIGKILL', 5_000);
  }

  /** SIGTERM with a grace period, then SIGKILL. */
  async stop(): Promise<void> {
    if (!(await this.signalAndWait('SIGTERM', 10_000))) await this.signalAndWait('SIGKILL', 5_000);
  }

  /** Last resort from a synchronous exit handler. */
  killNow(): void {
    this.expectingExit = true;
    if (this.running) this.child?.kill('SIGKILL');
  }

  async close(): Promise<void> {
    await this.stop();
    await new Promise<void>((r) => this.log.end(r));
  }

  private async signalAndWait(signal: NodeJS.Signals, timeoutMs: number): Promise<boolean> {
    const child = this.child;
    this.expectingExit = true;
    if (!child || !this.running) return true;
    const exited = new Promise<boolean>((r) => child.once('exit', () => r(true)));
    child.kill(signal);
    return Promise.race([exited, new Promise<boolean>((r) => setTimeout(() => r(false), timeoutMs))]);
  }
}
