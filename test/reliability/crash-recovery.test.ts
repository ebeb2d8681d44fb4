/**
 * A real `pleo-export run` is SIGKILLed at each step of a job's life, then
 * started again with `--once` on the same state directory. However the crash
 * falls, every job ends completed, each gets one `started`, claims go oldest
 * first, and only a job whose processing was cut short runs its processor
 * again (which the ledger processor makes harmless: it books per item, once).
 */
import { describe, expect, it } from 'vitest';
import { readLedger } from '../soak/ledger.js';
import { expectCleanDrain } from './support/expectations.js';
import { createFiveJobs, readState, until, useScene, verdictOf } from './support/scene.js';

const scene = useScene();

async function restartAndDrain(args: string[] = []) {
  const worker = await scene().fleet.start('w1', { args: ['--once', ...args] });
  const exit = await worker.exited;
  expect(exit.code, worker.tail()).toBe(0);
  return worker;
}

async function ledgerHas(kind: string, jobId: string): Promise<boolean> {
  const lines = await readLedger(scene().fleet.ledgerFile);
  return lines.some((line) => line.kind === kind && 'jobId' in line && line.jobId === jobId);
}

describe('a worker killed at any step and restarted', () => {
  it('while detecting: drains every job once, oldest first', async () => {
    const { emulator, fleet } = scene();
    const jobs = createFiveJobs(emulator);
    emulator.addFault({ kind: 'latency', route: 'listJobs', ms: 5_000, times: 1 });
    const worker = await fleet.start('w1');
    await worker.transitionTo('detecting');
    await until(() => emulator.requests({ route: 'listJobs' }).length > 0);
    await fleet.crash(worker, 'w1');

    await restartAndDrain();
    expectCleanDrain(await verdictOf(scene()), jobs);
  });

  it('while pre-checking: the job was never claimed, so it is claimed once after', async () => {
    const { emulator, fleet } = scene();
    const jobs = createFiveJobs(emulator);
    const worker = await fleet.start('w1', { env: { PRECHECK_DELAY_MS: '10000' } });
    await worker.transitionTo('preChecking');
    await fleet.crash(worker, 'w1');
    expect(emulator.requests({ route: 'jobEvents' })).toEqual([]);

    await restartAndDrain();
    expectCleanDrain(await verdictOf(scene()), jobs);
  });

  it('as it records the claim intent: one started in all, whether or not it had left', async () => {
    const { emulator, fleet } = scene();
    const jobs = createFiveJobs(emulator);
    const worker = await fleet.start('w1');
    await worker.transitionTo('claiming.recordingIntent');
    await fleet.crash(worker, 'w1');

    // Sole worker: if the `started` did leave, the restart may take it as its own.
    await restartAndDrain(['--sole-worker']);
    expectCleanDrain(await verdictOf(scene()), jobs);
  });

  it('right after its claim was acknowledged: takes the job up with no new started', async () => {
    const { emulator, fleet } = scene();
    const jobs = createFiveJobs(emulator);
    const worker = await fleet.start('w1', { env: { PROCESSOR_DELAY_MS: '10000' } });
    await worker.waitFor((line) => line.msg === 'job claimed');
    await fleet.crash(worker, 'w1');

    // The crash may fall before the hold reached the disk; then only the claim
    // intent is there, and only a sole worker may take the job as its own.
    await restartAndDrain(['--sole-worker']);
    expectCleanDrain(await verdictOf(scene()), jobs, [jobs[0]!.id]);
  });

  it('never starts the processor before the hold of the job is on disk', async () => {
    const { emulator, fleet } = scene();
    const jobs = createFiveJobs(emulator);
    const holdFile = `${fleet.stateDir('w1')}/default.state.json`;
    const worker = await fleet.start('w1', { args: ['--once'], env: { HOLD_FILE: holdFile } });
    expect((await worker.exited).code).toBe(0);

    const runs = (await readLedger(fleet.ledgerFile)).filter((line) => line.kind === 'start');
    expect(runs.map((line) => line.jobId)).toEqual(jobs.map((job) => job.id));
    // A crash during processing must find the job held, or the restart
    // cannot resume it without a new `started`.
    expect(runs.map((line) => 'holdDurable' in line && line.holdDurable)).toEqual(
      jobs.map(() => true),
    );
  });

  it('while processing: the interrupted job is processed again, the others once', async () => {
    const { emulator, fleet } = scene();
    const jobs = createFiveJobs(emulator);
    const worker = await fleet.start('w1', { env: { PROCESSOR_DELAY_MS: '10000' } });
    await worker.transitionTo('claimed.processing');
    await until(() => ledgerHas('start', jobs[0]!.id));
    await until(async () => (await readState(scene(), 'w1'))?.heldJob != null);
    await fleet.crash(worker, 'w1');

    await restartAndDrain();
    const verdict = await verdictOf(scene());
    expectCleanDrain(verdict, jobs, [jobs[0]!.id]);
    expect(verdict.runsPerJob.get(jobs[0]!.id)).toBe(2);
  });

  it('between booking items and reporting them: the re-run books nothing twice', async () => {
    const { emulator, fleet } = scene();
    const jobs = createFiveJobs(emulator);
    const worker = await fleet.start('w1', { env: { PAUSE_AFTER_BOOK_MS: '10000' } });
    await until(() => ledgerHas('book', jobs[0]!.id));
    await fleet.crash(worker, 'w1');
    expect(emulator.jobItems(jobs[0]!.id).every((item) => item.status !== 'successful')).toBe(true);

    await restartAndDrain();
    const verdict = await verdictOf(scene());
    expectCleanDrain(verdict, jobs, [jobs[0]!.id]);
    expect(emulator.jobItems(jobs[0]!.id).every((item) => item.status === 'successful')).toBe(true);
  });

  it('while reporting the outcome: reports it after the restart, no new processing', async () => {
    const { emulator, fleet } = scene();
    const jobs = createFiveJobs(emulator);
    const oldest = jobs[0]!.id;
    const worker = await fleet.start('w1', { env: { PROCESSOR_DELAY_MS: '300' } });
    await worker.waitFor((line) => line.msg === 'job claimed');
    // The `started` has been answered; the next event for this job is the outcome.
    emulator.addFault({ kind: 'hang', route: 'jobEvents', jobId: oldest, times: 1 });
    await worker.transitionTo('reporting');
    await until(() => emulator.requests({ jobId: oldest, outcome: 'hung' }).length > 0);
    await fleet.crash(worker, 'w1');
    const saved = await readState(scene(), 'w1');
    expect(saved?.heldJob).toMatchObject({ id: oldest, outcome: { status: 'completed' } });

    await restartAndDrain();
    const verdict = await verdictOf(scene());
    expectCleanDrain(verdict, jobs);
    expect(verdict.runsPerJob.get(oldest)).toBe(1);
  });

  it('after the outcome was applied but before it knew: releases the finished job', async () => {
    const { emulator, fleet } = scene();
    const jobs = createFiveJobs(emulator);
    const oldest = jobs[0]!.id;
    const worker = await fleet.start('w1', { env: { PROCESSOR_DELAY_MS: '300' } });
    await worker.waitFor((line) => line.msg === 'job claimed');
    emulator.addFault({ kind: 'hangAfterApply', route: 'jobEvents', jobId: oldest, times: 1 });
    await until(() => emulator.getJob(oldest)?.status === 'completed');
    await fleet.crash(worker, 'w1');

    const restarted = await restartAndDrain();
    expectCleanDrain(await verdictOf(scene()), jobs);
    const released = restarted.lines.find((line) => line.jobId === oldest
      && line.msg === 'held job is no longer in progress; released');
    expect(released, restarted.tail()).toBeDefined();
    const events = emulator.requests({ route: 'jobEvents', jobId: oldest });
    expect(events.map((r) => (r.body as { event: string }).event)).toEqual([
      'started',
      'completed',
    ]);
  });
});
