import { describe, expect, it } from 'vitest';
import { createActor, fromPromise, waitFor } from 'xstate';
import { exportJobMachine } from '../../machines/export-job.machine.js';
import type { ClaimIntentInput, JobOutcome, LifecycleEvent } from '../../machines/types.js';
import { StatusConflictError, TimeoutError } from '../../src/errors.js';
import type { ExportJob } from '../../src/pleo/schemas.js';

const job = (id: string, createdAt: string, status = 'pending'): ExportJob => ({
  id,
  companyId: 'c1',
  status,
  createdAt,
});

interface Script {
  lists: ExportJob[][];
  claim?: (jobId: string) => Promise<void>;
  preCheckOk?: boolean;
  outcome?: JobOutcome;
}

function run(script: Script, input = {}) {
  const calls: string[] = [];
  const lists = [...script.lists];
  const machine = exportJobMachine.provide({
    actors: {
      detectJobs: fromPromise(async () => {
        calls.push('list');
        return { jobs: lists.shift() ?? [], skipped: 0 };
      }),
      runPreChecks: fromPromise(async () =>
        script.preCheckOk === false
          ? { ok: false as const, failures: [{ name: 'erp', reason: 'down' }] }
          : { ok: true as const }),
      persistClaimIntent: fromPromise<void, ClaimIntentInput>(async () => {}),
      claimJob: fromPromise(async ({ input }) => {
        calls.push(`started:${input.job.id}`);
        await script.claim?.(input.job.id);
      }),
      processJob: fromPromise(async ({ input }) => {
        calls.push(`process:${input.job.id}`);
        return script.outcome ?? { status: 'completed' as const };
      }),
      reportOutcome: fromPromise(async ({ input }) => {
        calls.push(`${input.outcome.status}:${input.job.id}`);
      }),
    },
    delays: { conflictBackoff: 1, retryBackoff: 1 },
  });
  const actor = createActor(machine, { input });
  const emitted: LifecycleEvent[] = [];
  actor.on('*', (event) => emitted.push(event));
  actor.start();
  return { actor, calls, emitted };
}

describe('export-job machine', () => {
  it('claims, processes and reports the oldest pending job, then drains', async () => {
    const a = job('a', '2026-11-30T10:00:00+01:00');
    const b = job('b', '2026-11-30T09:30:00Z');
    const { actor, calls } = run({ lists: [[b, a], [b]] });
    actor.send({ type: 'TRIGGER', source: 'manual' });
    await waitFor(actor, (s) => s.matches('idle') && s.context.counters.detections === 3);
    expect(calls).toEqual([
      'list', 'started:a', 'process:a', 'completed:a',
      'list', 'started:b', 'process:b', 'completed:b',
      'list',
    ]);
  });

  it('after a conflict detects again and claims the next job, never resending', async () => {
    const a = job('a', '2026-11-30T09:00:00Z');
    const b = job('b', '2026-11-30T09:10:00Z');
    const { actor, calls } = run({
      lists: [[a, b], [a, b], []],
      claim: async (id) => {
        if (id === 'a') throw new StatusConflictError('taken');
      },
    });
    actor.send({ type: 'TRIGGER', source: 'webhook' });
    await waitFor(actor, (s) => s.matches('idle') && s.context.counters.detections === 3);
    expect(calls.filter((c) => c === 'started:a')).toHaveLength(1);
    expect(calls).toContain('completed:b');
  });

  it('leaves the job untouched when a pre-check fails', async () => {
    const { actor, calls, emitted } = run({
      lists: [[job('a', '2026-11-30T09:00:00Z')]],
      preCheckOk: false,
    });
    actor.send({ type: 'TRIGGER', source: 'manual' });
    await waitFor(actor, (s) => s.matches('idle') && s.context.counters.detections === 1);
    expect(calls).toEqual(['list']);
    expect(emitted.map((e) => e.type)).toContain('precheck:failed');
  });

  it('treats a timed-out claim as unknown and does not process an in_progress job', async () => {
    const a = job('a', '2026-11-30T09:00:00Z');
    const { actor, calls } = run({
      lists: [[a], [{ ...a, status: 'in_progress' }]],
      claim: async () => {
        throw new TimeoutError('slow', { timeoutMs: 10 });
      },
    });
    actor.send({ type: 'TRIGGER', source: 'manual' });
    await waitFor(actor, (s) => s.matches('idle') && s.context.counters.detections === 2);
    expect(calls).toEqual(['list', 'started:a', 'list']);
    expect(actor.getSnapshot().context.unknownClaimIds).toEqual(['a']);
  });

  it('resumes a held in_progress job without a new started', async () => {
    const a = job('a', '2026-11-30T09:00:00Z', 'in_progress');
    const { actor, calls } = run(
      { lists: [[a], []] },
      { heldJob: { id: 'a', createdAt: a.createdAt, since: 0 } },
    );
    actor.send({ type: 'TRIGGER', source: 'startup' });
    await waitFor(actor, (s) => s.matches('idle') && s.context.counters.detections === 2);
    expect(calls).toEqual(['list', 'process:a', 'completed:a', 'list']);
  });

  it('coalesces a burst of triggers during a cycle into one more detection', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { actor, calls } = run({
      lists: [[job('a', '2026-11-30T09:00:00Z')], [], []],
      claim: () => gate,
    });
    actor.send({ type: 'TRIGGER', source: 'manual' });
    await waitFor(actor, (s) => s.matches({ claiming: 'sending' }));
    for (let i = 0; i < 100; i++) actor.send({ type: 'TRIGGER', source: 'webhook' });
    release();
    await waitFor(actor, (s) => s.matches('idle'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(calls.filter((c) => c === 'list')).toHaveLength(2);
  });
});
