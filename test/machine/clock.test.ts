import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createActor, fromPromise } from 'xstate';
import { exportJobMachine } from '../../machines/export-job.machine.js';
import type {
  ClaimIntentInput,
  JobOutcome,
  MachineInput,
  PreCheckInput,
  PreCheckOutput,
  ProcessInput,
} from '../../machines/types.js';
import { StatusConflictError } from '../../src/errors.js';
import type { ExportJob } from '../../src/pleo/schemas.js';

const HOUR = 3_600_000;
const job = (id: string, minute: number): ExportJob => ({
  id,
  status: 'pending',
  createdAt: `2026-11-30T09:${String(minute).padStart(2, '0')}:00Z`,
});

beforeEach(() => {
  vi.useFakeTimers({ now: Date.parse('2026-12-04T12:00:00Z') });
});
afterEach(() => {
  vi.useRealTimers();
});

function start(jobs: () => ExportJob[], input: MachineInput, conflictOn?: string) {
  const calls: string[] = [];
  const machine = exportJobMachine.provide({
    actors: {
      detectJobs: fromPromise(async () => {
        calls.push('list');
        return { jobs: jobs(), skipped: 0 };
      }),
      runPreChecks: fromPromise<PreCheckOutput, PreCheckInput>(async () => ({ ok: true })),
      persistClaimIntent: fromPromise<void, ClaimIntentInput>(async () => {}),
      claimJob: fromPromise(async ({ input }) => {
        calls.push(`started:${input.job.id}`);
        if (input.job.id === conflictOn) throw new StatusConflictError('taken');
      }),
      processJob: fromPromise<JobOutcome, ProcessInput>(async () => ({ status: 'completed' })),
      reportOutcome: fromPromise(async ({ input }) => {
        calls.push(`reported:${input.job.id}`);
      }),
    },
    delays: { conflictBackoff: 10, retryBackoff: 10 },
  });
  const actor = createActor(machine, { input }).start();
  return { actor, calls };
}

describe('when the wall clock jumps', () => {
  it('a trigger after the clock went back detects at once, not an hour later', async () => {
    const { actor, calls } = start(() => [], { minDetectionGapMs: 1_000 });
    actor.send({ type: 'TRIGGER', source: 'manual' });
    await vi.advanceTimersByTimeAsync(5);
    vi.setSystemTime(Date.now() - HOUR);
    actor.send({ type: 'TRIGGER', source: 'webhook' });
    await vi.advanceTimersByTimeAsync(5);
    expect(calls).toEqual(['list', 'list']);
    expect(actor.getSnapshot().value).toBe('idle');
  });

  it('a job lost in a race is not kept aside for as long as the clock went back', async () => {
    const lost = job('lost', 1);
    const { actor, calls } = start(
      () => [lost],
      { conflictExclusionMs: 60_000, minDetectionGapMs: 0 },
      'lost',
    );
    actor.send({ type: 'TRIGGER', source: 'manual' });
    await vi.advanceTimersByTimeAsync(50);
    expect(actor.getSnapshot().context.excludedUntil).toHaveProperty('lost');
    vi.setSystemTime(Date.now() - HOUR);
    actor.send({ type: 'TRIGGER', source: 'manual' });
    await vi.advanceTimersByTimeAsync(50);
    // Tried again at once, and set aside for a minute of the new clock.
    expect(calls.filter((c) => c === 'started:lost')).toHaveLength(2);
    const until = actor.getSnapshot().context.excludedUntil.lost!;
    expect(until - Date.now()).toBeLessThanOrEqual(60_000);
  });

  it('a drain lists again instead of trusting a listing of unknown age', async () => {
    const backlog = [job('a', 1), job('b', 2)];
    const reported = () => backlog.filter((j) => !calls.includes(`reported:${j.id}`));
    let calls: string[] = [];
    const started = start(() => reported(), { listingReuseMs: 30_000 });
    calls = started.calls;
    started.actor.subscribe((snapshot) => {
      if (snapshot.matches('reporting')) vi.setSystemTime(Date.now() - HOUR);
    });
    started.actor.send({ type: 'TRIGGER', source: 'manual' });
    await vi.advanceTimersByTimeAsync(50);
    expect(calls.filter((c) => c === 'list' || c.startsWith('started'))).toEqual([
      'list', 'started:a', 'list', 'started:b', 'list',
    ]);
  });

  it('without a clock jump, the drain takes the second job from the first listing', async () => {
    const backlog = [job('a', 1), job('b', 2)];
    let calls: string[] = [];
    const started = start(
      () => backlog.filter((j) => !calls.includes(`reported:${j.id}`)),
      { listingReuseMs: 30_000 },
    );
    calls = started.calls;
    started.actor.send({ type: 'TRIGGER', source: 'manual' });
    await vi.advanceTimersByTimeAsync(50);
    expect(calls.filter((c) => c === 'list' || c.startsWith('started'))).toEqual([
      'list', 'started:a', 'started:b', 'list',
    ]);
  });
});
