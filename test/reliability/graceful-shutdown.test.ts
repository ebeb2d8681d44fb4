/**
 * Stopping on purpose: SIGTERM lets the job in hand finish and be reported,
 * bounded by the grace period, after which the processor is aborted through
 * its signal and the job is resumed at the next start. A second signal exits
 * at once and leaves the job held for the restart.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { createExportOrchestrator } from '../../src/orchestrator/orchestrator.js';
import type { JobOutcome } from '../../src/orchestrator/types.js';
import { MemoryStateStore } from '../../src/persistence/state-store.js';
import { markKilled, readLedger } from '../soak/ledger.js';
import { expectCleanDrain } from './support/expectations.js';
import {
  readState,
  until,
  useScene,
  verdictOf,
  type Scene,
} from './support/scene.js';

const scene = useScene();

async function processingStarted(s: Scene, jobId: string) {
  await until(async () => {
    const lines = await readLedger(s.fleet.ledgerFile);
    return lines.some((line) => line.kind === 'start' && line.jobId === jobId);
  });
}

/** Resolves with the exit, or with `undefined` if the process is still running after `ms`. */
function exitWithin(exited: Promise<unknown>, ms: number) {
  return Promise.race([exited, sleep(ms).then(() => undefined)]);
}

describe('pleo-export run on SIGTERM', () => {
  it('lets the processor finish, reports the job, records it and exits promptly', async () => {
    const s = scene();
    const job = s.emulator.createJob({ createdAt: '2026-11-30T09:00:00Z' });
    const worker = await s.fleet.start('w1', { env: { PROCESSOR_DELAY_MS: '1500' } });
    await processingStarted(s, job.id);

    worker.child.kill('SIGTERM');
    const exit = await exitWithin(worker.exited, 6_000);
    expect(exit, `still running 6 s after SIGTERM:\n${worker.tail()}`).toEqual({
      code: 0,
      signal: null,
    });
    expect(s.emulator.getJob(job.id)?.status).toBe('completed');
    expect(await readState(s, 'w1')).toMatchObject({ heldJob: null, claimIntent: null });
    expect(worker.messages()).toContain('job completed');
  });

  it('exits at once on a second signal and leaves the job held for the restart', async () => {
    const s = scene();
    const job = s.emulator.createJob({ createdAt: '2026-11-30T09:00:00Z' });
    const worker = await s.fleet.start('w1', {
      env: { PROCESSOR_DELAY_MS: '30000', PROCESSOR_IGNORE_ABORT: '1' },
    });
    await processingStarted(s, job.id);

    worker.child.kill('SIGTERM');
    await worker.waitFor((line) => /stopping/.test(String(line.msg)));
    const sentAt = Date.now();
    worker.child.kill('SIGTERM');
    const exit = await exitWithin(worker.exited, 2_000);
    expect(exit, `still running 2 s after the second signal:\n${worker.tail()}`).toEqual({
      code: 130,
      signal: null,
    });
    expect(Date.now() - sentAt).toBeLessThan(2_000);
    expect(worker.messages()).toContain('second signal: exiting now');
    // The processor was cut off like in a crash; the ledger records it so.
    await markKilled(s.fleet.ledgerFile, worker.pid, 'w1');
    expect((await readState(s, 'w1'))?.heldJob?.id).toBe(job.id);

    const restarted = await s.fleet.start('w1', { args: ['--once'] });
    expect((await restarted.exited).code, restarted.tail()).toBe(0);
    expectCleanDrain(await verdictOf(s), [job], [job.id]);
  });
});

type Work = (signal: AbortSignal) => Promise<JobOutcome>;

describe('ExportOrchestrator.stop(graceMs)', () => {
  function orchestratorFor(s: Scene, store: MemoryStateStore, work: Work, shutdownGraceMs: number) {
    return createExportOrchestrator({
      apiUrl: s.emulator.url,
      credentials: { token: s.emulator.token },
      schedule: false,
      store,
      shutdownGraceMs,
      requestTimeoutMs: 1_000,
      processor: (_job, { signal }) => work(signal),
    });
  }

  it('returns as soon as the running job is reported, well within the grace period', async () => {
    const s = scene();
    const job = s.emulator.createJob({});
    let finished = false;
    const orchestrator = orchestratorFor(s, new MemoryStateStore(), async () => {
      await sleep(300);
      finished = true;
      return { status: 'completed' };
    }, 5_000);
    await orchestrator.start();
    await until(() => orchestrator.status().state === 'claimed.processing');

    const stopping = Date.now();
    await orchestrator.stop();
    expect(finished).toBe(true);
    expect(s.emulator.getJob(job.id)?.status).toBe('completed');
    expect(Date.now() - stopping, 'stop() waited for the whole grace period').toBeLessThan(2_000);
  });

  it('aborts a processor that outlives the grace; the next start resumes its job', async () => {
    const s = scene();
    const job = s.emulator.createJob({});
    const store = new MemoryStateStore();
    let sawAbort = false;
    const slow = orchestratorFor(s, store, async (signal) => {
      await sleep(30_000, undefined, { signal }).catch((error: unknown) => {
        sawAbort = signal.aborted;
        throw error;
      });
      return { status: 'completed' };
    }, 300);
    await slow.start();
    await until(() => slow.status().state === 'claimed.processing');

    const stopping = Date.now();
    await slow.stop();
    expect(Date.now() - stopping).toBeLessThan(2_000);
    await until(() => sawAbort, 1_000, 'the processor seeing its abort');
    expect((await store.load('default'))?.heldJob?.id).toBe(job.id);
    expect(s.emulator.getJob(job.id)?.status).toBe('in_progress');

    const next = orchestratorFor(s, store, async () => ({ status: 'completed' }), 300);
    await next.start();
    await until(() => s.emulator.getJob(job.id)?.status === 'completed');
    await next.stop();
    const started = s.emulator.requests({ route: 'jobEvents', jobId: job.id })
      .filter((r) => (r.body as { event: string }).event === 'started');
    expect(started).toHaveLength(1);
  });
});
