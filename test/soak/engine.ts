/**
 * The soak: several `pleo-export run` workers against one emulator for a
 * while, through random faults on every route and random SIGKILLs, with jobs
 * arriving all along. Then the faults stop, the fleet is killed one last
 * time, and each worker drains alone with `--once --sole-worker` (how an
 * operator settles claims whose outcome stayed unknown). The verdict counts
 * lost jobs and jobs exported twice. `npm run soak` and a short vitest run
 * share this engine.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startEmulator, type RecordedRequest } from '../../src/emulator/index.js';
import { FileStateStore } from '../../src/persistence/file-state-store.js';
import { runChaos } from './chaos.js';
import { RequestRecorder, startedEvents } from './claims.js';
import { Fleet, type WorkerLaunch } from './fleet.js';
import { readLedger } from './ledger.js';
import { SeededRandom } from './random.js';
import { isClean, judge, type Verdict } from './verdict.js';
import type { WorkerProcess } from './worker-process.js';
import { createJobs, faultMix, type FaultMix } from './workload.js';

export interface SoakOptions {
  seed: number;
  /** How long faults and crashes go on. */
  durationMs: number;
  workers: number;
  jobs: number;
  /** Pause between two crashes (default 1–4 s). */
  crashEveryMs?: { min: number; max: number };
  faults?: FaultMix;
  exclusive?: boolean;
  /** How long the ledger processor takes per job, so crashes land mid-processing. */
  processingMs?: number;
  log?: (line: string) => void;
}

export interface SoakReport {
  seed: number;
  workers: number;
  elapsedMs: number;
  crashes: number;
  faultsInjected: number;
  faultsByKind: Record<string, number>;
  verdict: Verdict;
  /** Lost, or exported/claimed twice: what fails the soak. */
  ok: boolean;
}

export async function runSoak(options: SoakOptions): Promise<SoakReport> {
  const log = options.log ?? (() => undefined);
  const started = Date.now();
  // Separate streams, so the timing of one cannot shift the choices of another.
  const jobsRandom = new SeededRandom(options.seed);
  const arrivalsRandom = new SeededRandom(options.seed + 1);
  const chaosRandom = new SeededRandom(options.seed + 2);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pleo-soak-'));
  const emulator = await startEmulator({ seed: options.seed, expireJobs: false });
  const fleet = new Fleet(emulator, dir);
  const recorder = new RequestRecorder(emulator).start();
  const labels = Array.from({ length: options.workers }, (_, i) => `w${i + 1}`);
  const launch: WorkerLaunch = {
    logLevel: 'info',
    maxLines: 500,
    args: options.exclusive ? ['--exclusive'] : [],
    env: { PROCESSOR_DELAY_MS: String(options.processingMs ?? 100) },
  };
  try {
    const upfront = Math.ceil(options.jobs * 0.4);
    createJobs(emulator, jobsRandom, upfront);
    emulator.setFaults(faultMix({ afterApply: true, ...options.faults }));
    const workers = new Map<string, WorkerProcess>();
    for (const label of labels) workers.set(label, await fleet.start(label, launch));

    const until = Date.now() + options.durationMs;
    const arrivals = trickle(emulator, arrivalsRandom, options.jobs - upfront,
      options.durationMs * 0.7);
    const crashes = await runChaos({
      fleet, random: chaosRandom, workers, launch, until, log,
      everyMs: options.crashEveryMs ?? { min: 1_000, max: 4_000 },
    });
    await arrivals;
    log(`chaos over after ${crashes} crashes; settling`);

    emulator.clearFaults();
    for (const [label, worker] of workers) await fleet.crash(worker, label);
    for (const label of labels) await drainAlone(fleet, label, log);

    recorder.stop();
    const requests = recorder.all();
    const verdict = judge(emulator.jobs(), requests, await readLedger(fleet.ledgerFile));
    for (const jobId of verdict.lost) await explainLost(jobId, requests, fleet, labels, log);
    const faultsByKind: Record<string, number> = {};
    for (const request of requests) {
      for (const kind of request.faults) {
        if (kind !== 'latency') faultsByKind[kind] = (faultsByKind[kind] ?? 0) + 1;
      }
    }
    return {
      seed: options.seed,
      workers: options.workers,
      elapsedMs: Date.now() - started,
      crashes: fleet.crashes,
      faultsInjected: Object.values(faultsByKind).reduce((sum, n) => sum + n, 0),
      faultsByKind,
      verdict,
      ok: isClean(verdict),
    };
  } finally {
    recorder.stop();
    await fleet.killAll();
    await emulator.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** Creates `count` jobs at random moments over `overMs`. */
async function trickle(
  emulator: Parameters<typeof createJobs>[0],
  random: SeededRandom,
  count: number,
  overMs: number,
): Promise<void> {
  const moments = Array.from({ length: count }, () => random.int(0, Math.max(0, overMs)))
    .sort((a, b) => a - b);
  const start = Date.now();
  for (const at of moments) {
    await sleep(Math.max(0, start + at - Date.now()));
    // Created now, so a job arriving later is never older than one before it.
    createJobs(emulator, random, 1, 0);
  }
}

/** Logs what the request log and the workers' state files say about a lost job. */
async function explainLost(
  jobId: string,
  requests: readonly RecordedRequest[],
  fleet: Fleet,
  labels: readonly string[],
  log: (line: string) => void,
): Promise<void> {
  const events = requests
    .filter((r) => r.jobId === jobId && r.route === 'jobEvents')
    .map((r) => `${(r.body as { event?: string }).event}@${r.seq} ${r.auth} `
      + `${r.status ?? r.outcome} [${r.faults.join(',')}]`);
  log(`lost ${jobId}: ${events.join('; ') || 'no events'}`);
  const claim = startedEvents(requests).find((e) => e.jobId === jobId && e.applied);
  // Listings that can leave a job out: a record that breaks the schema, or
  // pages whose order and content the server did not keep.
  const hiding = (r: RecordedRequest) => r.faults.includes('brokenRecord')
    || (r.faults.includes('ignoreSorting') && r.faults.includes('ignoreStatusFilter'));
  const oddListings = requests
    .filter((r) => claim && r.seq > claim.seq && r.auth === claim.auth && r.route === 'listJobs')
    .filter(hiding)
    .map((r) => `${r.seq} [${r.faults.filter((kind) => kind !== 'latency').join(',')}]`);
  if (claim) log(`  later listings by ${claim.auth} that may hide it: ${oddListings.join('; ')}`);
  for (const label of labels) {
    const state = await new FileStateStore(fleet.stateDir(label)).load('default');
    if (JSON.stringify(state).includes(jobId)) log(`  ${label} state: ${JSON.stringify(state)}`);
  }
}

/** Runs one worker alone until nothing is left for it, taking its unknown claims. */
async function drainAlone(fleet: Fleet, label: string, log: (line: string) => void) {
  const worker = await fleet.start(label, {
    logLevel: 'info',
    maxLines: 500,
    args: ['--once', '--sole-worker'],
  });
  const timeout = sleep(60_000, undefined, { ref: false }).then(() => undefined);
  const exit = await Promise.race([worker.exited, timeout]);
  if (exit?.code !== 0) {
    log(`drain of ${label} did not end cleanly (${JSON.stringify(exit)}):\n${worker.tail(10)}`);
    await fleet.crash(worker, label);
  }
}
