/**
 * The production machine with actors the test settles by hand: each
 * invocation waits until `step()` lets the oldest one finish. A journal
 * records triggers, detection starts and reports in one sequence, so a
 * property can look at any interleaving of triggers with the actor's steps.
 */
import { setImmediate as tick } from 'node:timers/promises';
import { createActor, fromPromise } from 'xstate';
import { exportJobMachine } from '../../machines/export-job.machine.js';
import type {
  ClaimInput,
  ClaimIntentInput,
  DetectInput,
  DetectOutput,
  JobOutcome,
  PreCheckInput,
  PreCheckOutput,
  ProcessInput,
  ReportInput,
  TriggerSource,
} from '../../machines/types.js';
import type { ExportJob } from '../../src/pleo/schemas.js';

export type JournalEntry =
  | { type: 'trigger'; whileIdle: boolean }
  | { type: 'detect' }
  | { type: 'reported' };

interface Waiting {
  kind: string;
  finish: () => void;
}

export function controlledMachine(listing: (detection: number) => ExportJob[]) {
  const waiting: Waiting[] = [];
  const journal: JournalEntry[] = [];
  let running = 0;
  let mostAtOnce = 0;
  let detections = 0;

  function controlled<TOutput, TInput>(kind: string, output: () => TOutput) {
    return fromPromise<TOutput, TInput>(() => {
      running += 1;
      mostAtOnce = Math.max(mostAtOnce, running);
      return new Promise<TOutput>((resolve) => {
        waiting.push({
          kind,
          finish: () => {
            running -= 1;
            resolve(output());
          },
        });
      });
    });
  }

  const machine = exportJobMachine.provide({
    actors: {
      detectJobs: controlled<DetectOutput, DetectInput>('detect', () => {
        detections += 1;
        return { jobs: listing(detections), skipped: 0 };
      }),
      runPreChecks: controlled<PreCheckOutput, PreCheckInput>('preCheck', () => ({ ok: true })),
      persistClaimIntent: controlled<void, ClaimIntentInput>('intent', () => undefined),
      claimJob: controlled<void, ClaimInput>('claim', () => undefined),
      processJob: controlled<JobOutcome, ProcessInput>('process', () => ({ status: 'completed' })),
      reportOutcome: controlled<void, ReportInput>('report', () => {
        journal.push({ type: 'reported' });
      }),
    },
    delays: { conflictBackoff: 0, retryBackoff: 0 },
  });
  const actor = createActor(machine, {
    input: { companyId: 'c1', minDetectionGapMs: 0, listingReuseMs: 0 },
  });
  actor.on('detect:start', () => journal.push({ type: 'detect' }));
  actor.start();

  return {
    actor,
    journal,
    /** The most actor steps that ever ran at once. */
    mostAtOnce: () => mostAtOnce,
    trigger(source: TriggerSource) {
      journal.push({ type: 'trigger', whileIdle: actor.getSnapshot().matches('idle') });
      actor.send({ type: 'TRIGGER', source });
    },
    /** Lets the oldest waiting step finish, then lets the machine move on. */
    async step(): Promise<boolean> {
      const next = waiting.shift();
      next?.finish();
      await tick();
      return next !== undefined;
    },
    async drain(limit = 200): Promise<void> {
      for (let i = 0; i < limit && (await this.step()); i += 1);
    },
  };
}
