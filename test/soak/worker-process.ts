/**
 * One `pleo-export run` daemon as a child process, the way an operator runs
 * it: its JSON log lines parsed as they arrive, its control URL, and ways to
 * kill or stop it. Shared by the reliability tests and the soak.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/pleo-export.js');

export type LogLine = Record<string, unknown> & { msg?: string };

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface WorkerSpec {
  /** CLI arguments after `run`. */
  args: string[];
  env?: Record<string, string>;
  /** Lines kept in memory; older ones are dropped (a soak logs for minutes). */
  maxLines?: number;
}

interface Waiter {
  test: (line: LogLine) => boolean;
  resolve: (line: LogLine) => void;
}

export class WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<Exit>;
  readonly lines: LogLine[] = [];
  #stderr = '';
  #partial = '';
  #waiters = new Set<Waiter>();
  readonly #maxLines: number;

  constructor(spec: WorkerSpec) {
    if (!existsSync(path.join(ROOT, 'dist/src/cli/main.js'))) {
      throw new Error('dist/ is missing: run `npm run build` first (npm test does it).');
    }
    this.#maxLines = spec.maxLines ?? 50_000;
    this.child = spawn(process.execPath, [BIN, 'run', ...spec.args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => this.#onStdout(chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.#stderr = (this.#stderr + chunk.toString()).slice(-20_000);
    });
    this.exited = new Promise((resolve) => {
      this.child.on('close', (code, signal) => resolve({ code, signal }));
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get stderr(): string {
    return this.#stderr;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The first line (already seen or still to come) that passes `test`. */
  waitFor(test: (line: LogLine) => boolean, timeoutMs = 15_000, what = 'a log line'):
    Promise<LogLine> {
    const seen = this.lines.find(test);
    if (seen) return Promise.resolve(seen);
    return this.nextLine(test, timeoutMs, what);
  }

  /** The next line to come that passes `test`, ignoring lines already seen. */
  nextLine(test: (line: LogLine) => boolean, timeoutMs = 15_000, what = 'a log line'):
    Promise<LogLine> {
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        test,
        resolve: (line) => {
          clearTimeout(timer);
          resolve(line);
        },
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`worker ${this.pid}: no ${what} within ${timeoutMs} ms\n${this.tail()}`));
      }, timeoutMs);
      this.#waiters.add(waiter);
      void this.exited.then(() => {
        if (!this.#waiters.delete(waiter)) return;
        clearTimeout(timer);
        reject(new Error(`worker ${this.pid} exited before ${what}\n${this.tail()}`));
      });
    });
  }

  /** Waits for the transition into `state` (needs `--log-level debug`). */
  transitionTo(state: string, timeoutMs?: number): Promise<LogLine> {
    const test = (line: LogLine) => line.msg === 'transition' && line.to === state;
    return this.nextLine(test, timeoutMs, `transition to ${state}`);
  }

  async controlUrl(timeoutMs = 15_000): Promise<string> {
    const line = await this.waitFor(
      (l) => l.msg?.startsWith('control server listening') === true,
      timeoutMs,
      'control server line',
    );
    return String(line.url);
  }

  /** Sends `signal` and resolves once the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<Exit> {
    if (this.running) this.child.kill(signal);
    return this.exited;
  }

  messages(): string[] {
    return this.lines.map((line) => String(line.msg));
  }

  tail(count = 30): string {
    const out = this.lines.slice(-count).map((line) => JSON.stringify(line)).join('\n');
    return `${out}\n--- stderr ---\n${this.#stderr.slice(-2_000)}`;
  }

  #onStdout(text: string): void {
    const parts = (this.#partial + text).split('\n');
    this.#partial = parts.pop() ?? '';
    for (const part of parts) {
      if (part.trim() === '') continue;
      let line: LogLine;
      try {
        line = JSON.parse(part) as LogLine;
      } catch {
        line = { msg: part, unparsed: true };
      }
      this.lines.push(line);
      if (this.lines.length > this.#maxLines) this.lines.shift();
      for (const waiter of this.#waiters) {
        if (!waiter.test(line)) continue;
        this.#waiters.delete(waiter);
        waiter.resolve(line);
      }
    }
  }
}
