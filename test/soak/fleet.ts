/**
 * A fleet of `pleo-export run` workers against one emulator: each worker has
 * a label, its own credential (so the request log tells workers apart), its
 * own state directory, and the ledger processor writing to one shared ledger.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Emulator } from '../../src/emulator/index.js';
import { markKilled } from './ledger.js';
import { ROOT, WorkerProcess } from './worker-process.js';

export const LEDGER_PROCESSOR = path.join(ROOT, 'test/fixtures/ledger-processor.mjs');

export interface WorkerLaunch {
  /** Flags added after the fleet's own (e.g. `--once`, `--sole-worker`). */
  args?: string[];
  env?: Record<string, string>;
  logLevel?: 'debug' | 'info' | 'warn';
  /** Default: a poll every second. */
  poll?: string;
  maxLines?: number;
}

export class Fleet {
  readonly emulator: Emulator;
  readonly dir: string;
  readonly ledgerFile: string;
  readonly #tokens = new Map<string, string>();
  readonly #live = new Set<WorkerProcess>();
  #crashes = 0;

  constructor(emulator: Emulator, dir: string) {
    this.emulator = emulator;
    this.dir = dir;
    this.ledgerFile = path.join(dir, 'ledger.jsonl');
  }

  get crashes(): number {
    return this.#crashes;
  }

  stateDir(label: string): string {
    return path.join(this.dir, label);
  }

  /** Starts worker `label`; a label started before keeps its state directory. */
  async start(label: string, launch: WorkerLaunch = {}): Promise<WorkerProcess> {
    await mkdir(this.stateDir(label), { recursive: true });
    const worker = new WorkerProcess({
      args: [
        '--api-url', this.emulator.url,
        '--state-dir', this.stateDir(label),
        '--port', '0',
        '--processor', LEDGER_PROCESSOR,
        '--poll', launch.poll ?? '*/1 * * * * *',
        '--log-level', launch.logLevel ?? 'debug',
        ...(launch.args ?? []),
      ],
      env: {
        PLEO_API_TOKEN: this.#tokenFor(label),
        LEDGER_FILE: this.ledgerFile,
        WORKER_LABEL: label,
        ...launch.env,
      },
      ...(launch.maxLines ? { maxLines: launch.maxLines } : {}),
    });
    this.#live.add(worker);
    void worker.exited.then(() => this.#live.delete(worker));
    return worker;
  }

  /** SIGKILL, then a mark in the ledger once the process is gone. */
  async crash(worker: WorkerProcess, label: string): Promise<void> {
    if (!worker.running) return;
    await worker.kill('SIGKILL');
    this.#crashes += 1;
    await markKilled(this.ledgerFile, worker.pid, label);
  }

  /** Kills whatever is still running; for clean-up after a test. */
  async killAll(): Promise<void> {
    await Promise.all([...this.#live].map((worker) => worker.kill('SIGKILL')));
  }

  /** The request-log label of a worker's credential. */
  authOf(label: string): string {
    return `bearer:${label}`;
  }

  #tokenFor(label: string): string {
    let token = this.#tokens.get(label);
    if (!token) {
      token = `tok_${label}_${Math.random().toString(36).slice(2)}`;
      this.emulator.addToken({ token, label });
      this.#tokens.set(label, token);
    }
    return token;
  }
}
