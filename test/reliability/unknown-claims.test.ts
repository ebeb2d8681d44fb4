/**
 * Rule 7 through the real CLI: a claim whose outcome is unknown, whether
 * its answer was lost or a crash left only its intent on disk, is reconciled
 * by reading the job, never by sending `started` again. A job that turns out
 * `in_progress` is only taken as ours with `--sole-worker` or after
 * `pleo-export adopt`; until then it is reported, in the log and `/status`.
 */
import { describe, expect, it } from 'vitest';
import { readLedger } from '../soak/ledger.js';
import type { WorkerProcess } from '../soak/worker-process.js';
import { runCli } from './support/cli.js';
import { expectCleanDrain } from './support/expectations.js';
import {
  createFiveJobs,
  eventually,
  readState,
  statusOf,
  until,
  useScene,
  verdictOf,
  writeState,
} from './support/scene.js';

const scene = useScene();

async function drainOnce(args: string[] = []): Promise<WorkerProcess> {
  const worker = await scene().fleet.start('w1', { args: ['--once', ...args] });
  expect((await worker.exited).code, worker.tail()).toBe(0);
  return worker;
}

/** Kills the first worker while Pleo has applied its `started` but never answers. */
async function crashAfterStartedApplied(jobId: string): Promise<void> {
  const { emulator, fleet } = scene();
  emulator.addFault({ kind: 'hangAfterApply', route: 'jobEvents', jobId, times: 1 });
  const worker = await fleet.start('w1');
  await until(() => emulator.getJob(jobId)?.status === 'in_progress');
  await fleet.crash(worker, 'w1');
}

function reportsUnknown(worker: WorkerProcess, jobId: string): boolean {
  return worker.lines.some((line) => line.jobId === jobId
    && /claim outcome unknown/.test(String(line.msg)));
}

describe('a claim whose answer never came, found again after a restart', () => {
  it('is not sent again, and shows as "claim outcome unknown" in logs and /status', async () => {
    const { emulator, fleet } = scene();
    const jobs = createFiveJobs(emulator);
    const oldest = jobs[0]!.id;
    await crashAfterStartedApplied(oldest);

    const worker = await fleet.start('w1');
    await until(() => emulator.jobs().filter((j) => j.status === 'completed').length === 4);
    const status = await eventually(async () => {
      const current = await statusOf(worker);
      return current.state === 'idle' ? current : undefined;
    });
    expect(status.unknownClaims).toEqual([oldest]);
    expect(emulator.getJob(oldest)?.status).toBe('in_progress');
    expect((await verdictOf(scene())).startedPerJob.get(oldest)).toBe(1);
    expect(reportsUnknown(worker, oldest), worker.tail()).toBe(true);
  });

  it('is finished after `pleo-export adopt <jobId>`, without a new started', async () => {
    const { emulator, fleet } = scene();
    const jobs = createFiveJobs(emulator);
    const oldest = jobs[0]!.id;
    await crashAfterStartedApplied(oldest);
    const worker = await fleet.start('w1');
    await until(async () => (await statusOf(worker)).unknownClaims.length > 0);
    const url = await worker.controlUrl();

    // The daemon accepts an adoption only between cycles; an operator retries.
    const adopted = await eventually(async () => {
      const result = await runCli(['adopt', oldest, '--url', url]);
      return /refused to adopt/.test(result.stderr) ? undefined : result;
    }, 10_000, 'an adoption that is not refused as busy');
    expect(adopted.stdout, adopted.stderr).toContain(`adopted ${oldest}`);
    expect(adopted.code).toBe(0);
    await until(() => emulator.getJob(oldest)?.status === 'completed');
    await worker.kill('SIGTERM');

    expectCleanDrain(await verdictOf(scene()), jobs);
  });

  it('is taken as its own by a worker started with --sole-worker', async () => {
    const { emulator } = scene();
    const jobs = createFiveJobs(emulator);
    await crashAfterStartedApplied(jobs[0]!.id);

    await drainOnce(['--sole-worker']);
    expectCleanDrain(await verdictOf(scene()), jobs);
  });
});

describe('a claim intent found at start-up', () => {
  it('whose job is still pending lets the job be claimed afresh, with one started', async () => {
    const { emulator } = scene();
    const jobs = createFiveJobs(emulator);
    await writeState(scene(), 'w1', { claimIntent: { jobId: jobs[0]!.id, at: Date.now() } });

    await drainOnce();
    expectCleanDrain(await verdictOf(scene()), jobs);
    const saved = await readState(scene(), 'w1');
    expect(saved).toMatchObject({ claimIntent: null, unknownClaimIds: [] });
  });

  it('whose job is in progress is reported and left alone without --sole-worker', async () => {
    const { emulator, fleet } = scene();
    const jobs = createFiveJobs(emulator);
    const oldest = jobs[0]!.id;
    await writeState(scene(), 'w1', { claimIntent: { jobId: oldest, at: Date.now() } });
    emulator.applyJobEvent({ event: 'started', jobId: oldest });

    const worker = await drainOnce();
    expect(emulator.getJob(oldest)?.status).toBe('in_progress');
    const runs = (await readLedger(fleet.ledgerFile)).filter((line) => line.kind === 'start');
    expect(runs.map((line) => line.jobId)).not.toContain(oldest);
    expect(runs).toHaveLength(4);
    expect((await readState(scene(), 'w1'))?.unknownClaimIds).toEqual([oldest]);
    expect(emulator.requests({ route: 'jobEvents', jobId: oldest })).toEqual([]);
    expect(reportsUnknown(worker, oldest), worker.tail()).toBe(true);
  });
});

describe('a claim answered ambiguously while the worker runs', () => {
  const cases = [
    { name: 'a 503', fault: { kind: 'status', status: 503 }, applied: false },
    { name: 'a reset before Pleo applied it', fault: { kind: 'reset' }, applied: false },
    { name: 'a reset after Pleo applied it', fault: { kind: 'resetAfterApply' }, applied: true },
  ] as const;

  it.each(cases)('($name) is reconciled by reading, never resent once applied', async (c) => {
    const { emulator } = scene();
    const jobs = createFiveJobs(emulator);
    const oldest = jobs[0]!.id;
    emulator.addFault({ ...c.fault, route: 'jobEvents', jobId: oldest, times: 1 });

    await drainOnce();
    const verdict = await verdictOf(scene());
    expect(verdict.resentClaims).toEqual([]);
    if (c.applied) {
      expect(verdict.startedPerJob.get(oldest)).toBe(1);
      expect(emulator.getJob(oldest)?.status).toBe('in_progress');
      expect((await readState(scene(), 'w1'))?.unknownClaimIds).toEqual([oldest]);
      await drainOnce(['--sole-worker']);
      expectCleanDrain(await verdictOf(scene()), jobs);
    } else {
      // Pleo still shows it pending: a fresh claim is allowed, and wins.
      expect(verdict.startedPerJob.get(oldest)).toBe(2);
      expect(verdict.lost).toEqual([]);
      expect(verdict.runsPerJob.get(oldest)).toBe(1);
    }
  });
});
