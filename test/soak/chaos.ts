/**
 * The crash monkey: while the soak runs, it SIGKILLs a random worker now and
 * then, often right as it claims or processes a job, and starts it again on
 * the same state directory a moment later.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Fleet, WorkerLaunch } from './fleet.js';
import type { SeededRandom } from './random.js';
import type { LogLine, WorkerProcess } from './worker-process.js';

/** Log lines (info level) that mark the moments worth crashing at. */
const RISKY = new Set(['job claimed', 'processing job', 'job completed', 'claim outcome unknown; '
  + 'reading the job before anything else']);

export interface ChaosOptions {
  fleet: Fleet;
  random: SeededRandom;
  /** Live workers by label; the monkey replaces the ones it restarts. */
  workers: Map<string, WorkerProcess>;
  launch: WorkerLaunch;
  /** Pause between two crashes, drawn from this range. */
  everyMs: { min: number; max: number };
  until: number;
  log: (line: string) => void;
}

export async function runChaos(options: ChaosOptions): Promise<number> {
  const { fleet, random, workers } = options;
  let crashes = 0;
  while (Date.now() < options.until) {
    await sleep(random.int(options.everyMs.min, options.everyMs.max));
    if (Date.now() >= options.until) break;
    const label = random.pick([...workers.keys()]);
    const worker = workers.get(label)!;
    if (random.next() < 0.6) {
      await riskyMoment(worker, Math.min(3_000, options.until - Date.now()));
      // Somewhere in the step that line began, not always at its first instant.
      await sleep(random.int(0, 150));
    }
    await fleet.crash(worker, label);
    crashes += 1;
    options.log(`crash #${crashes}: killed ${label} (pid ${worker.pid})`);
    await sleep(random.int(100, 800));
    workers.set(label, await fleet.start(label, options.launch));
  }
  return crashes;
}

/** Waits (a bounded while) for the worker to claim, process or finish a job. */
async function riskyMoment(worker: WorkerProcess, withinMs: number): Promise<void> {
  if (withinMs <= 0) return;
  const risky = (line: LogLine) => RISKY.has(String(line.msg));
  await worker.nextLine(risky, withinMs, 'a risky moment').catch(() => undefined);
}
