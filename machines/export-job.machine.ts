/**
 * The export-job machine: detect, select, pre-check, claim, process, report,
 * and start over. It owns the flow; every piece of I/O is an actor the
 * orchestrator provides, so this file imports no HTTP code and tests can swap
 * the actors for events.
 *
 * One file on purpose: the statechart reads top to bottom as the design's
 * table does, and XState infers its types from the whole definition.
 *
 * Traps it is built around:
 * - A `started` event is never retried by the machine. After a conflict the
 *   job is excluded and detection runs again; after an ambiguous failure the
 *   job's fate is learned by reading it, in the next detection.
 * - The claim intent is persisted before the `started` is sent (the
 *   `recordingIntent` step), so a crash in between is reconciled at restart.
 * - Snapshots are not meant to be restored: restoring one taken in `claiming`
 *   would send the claim again. The orchestrator rebuilds from its persisted
 *   domain record and a fresh detection instead.
 */
import { and, assign, emit, enqueueActions, fromPromise, setup } from 'xstate';
import {
  afterDetection,
  detectionGapMs,
  holdJob,
  initialContext,
  lastFailureOf,
  outcomeOfFailure,
  selectFromListing,
  toFailureInfo,
} from './actions.js';
import { guards } from './guards.js';
import type {
  ClaimInput,
  ClaimIntentInput,
  DetectInput,
  DetectOutput,
  JobOutcome,
  LifecycleEvent,
  MachineContext,
  MachineEvent,
  MachineInput,
  PreCheckInput,
  PreCheckOutput,
  ProcessInput,
  ReportInput,
} from './types.js';

function notProvided<TOutput, TInput>(name: string) {
  return fromPromise<TOutput, TInput>(async () => {
    throw new Error(`The '${name}' actor was not provided to the export-job machine.`);
  });
}

export interface BackoffConfig {
  baseMs: number;
  maxMs: number;
}

/**
 * Capped exponential backoff with "equal" jitter (half fixed, half random),
 * never shorter than what the server's `Retry-After` asked for.
 */
export function backoffMs(
  context: MachineContext,
  config: BackoffConfig = { baseMs: 1_000, maxMs: 300_000 },
  random: () => number = Math.random,
): number {
  const exponent = Math.min(Math.max(context.failures - 1, 0), 20);
  const capped = Math.min(config.maxMs, config.baseMs * 2 ** exponent);
  const jittered = capped / 2 + random() * (capped / 2);
  return Math.max(jittered, context.lastFailure?.retryAfterMs ?? 0);
}

const coalesce = { actions: 'coalesceTrigger' } as const;


export const exportJobMachine = setup({
  types: {
    context: {} as MachineContext,
    events: {} as MachineEvent,
    input: {} as MachineInput,
    emitted: {} as LifecycleEvent,
  },
  actors: {
    detectJobs: notProvided<DetectOutput, DetectInput>('detectJobs'),
    runPreChecks: notProvided<PreCheckOutput, PreCheckInput>('runPreChecks'),
    persistClaimIntent: notProvided<void, ClaimIntentInput>('persistClaimIntent'),
    claimJob: notProvided<void, ClaimInput>('claimJob'),
    processJob: notProvided<JobOutcome, ProcessInput>('processJob'),
    reportOutcome: notProvided<void, ReportInput>('reportOutcome'),
  },
  guards,
  delays: {
    /** Rule 5: a short, jittered pause before detecting again after a lost race. */
    conflictBackoff: () => 250 + Math.random() * 750,
    retryBackoff: ({ context }) => backoffMs(context),
    /** What is left of the minimum gap since the last detection began. */
    detectionGap: ({ context }) => detectionGapMs(context, Date.now()),
  },
  actions: {
    recordFailure: assign(({ context, event }) => ({
      failures: context.failures + 1,
      lastFailure: toFailureInfo('error' in event ? event.error : event, Date.now()),
    })),
    stopAfterCurrentStep: assign({ stopRequested: true }),
    /** Selects again from the last listing, without the job just reported. */
    reuseListing: assign(({ context }) => {
      const { remaining, selection } = selectFromListing(context, Date.now());
      return { detected: remaining, selection };
    }),
    /** The held job goes to the processor, or waits for the host's `finish()`. */
    announceProcessing: emit(({ context }) => ({
      type: 'job:processing' as const,
      jobId: context.heldJob?.id ?? '',
    })),
    /** The outcome is reported: the job is no longer held. */
    releaseReportedJob: enqueueActions(({ context, enqueue }) => {
      const held = context.heldJob;
      if (!held?.outcome) return;
      enqueue.emit({
        type: 'job:finished',
        jobId: held.id,
        outcome: held.outcome,
        durationMs: Date.now() - held.since,
      });
      const ok = held.outcome.status !== 'failed';
      enqueue.assign({
        heldJob: null,
        failures: 0,
        counters: {
          ...context.counters,
          completed: context.counters.completed + (ok ? 1 : 0),
          failed: context.counters.failed + (ok ? 0 : 1),
        },
      });
    }),
    clearRedetect: assign({ redetect: false }),
    /** Rule 8: a trigger during a cycle only asks for one more detection after it. */
    coalesceTrigger: assign(({ context }) => ({
      redetect: true,
      counters: {
        ...context.counters,
        coalescedTriggers: context.counters.coalescedTriggers + 1,
      },
    })),
  },
}).createMachine({
  id: 'exportJob',
  context: ({ input }) => initialContext(input),
  initial: 'idle',
  on: {
    STOP: [
      { guard: 'isForcedStop', target: '.stopped' },
      { actions: 'stopAfterCurrentStep' },
    ],
  },
  states: {
    idle: {
      // A stop asked for during a step never reaches here: every way out of
      // claiming, processing and reporting checks it first.
      always: [
        { guard: and(['hasCoalescedTrigger', 'detectedRecently']), target: 'cooldown' },
        { guard: 'hasCoalescedTrigger', target: 'detecting' },
      ],
      on: {
        TRIGGER: [{ guard: 'detectedRecently', target: 'cooldown' }, { target: 'detecting' }],
        ADOPT: {
          guard: 'holdsNoJob',
          target: 'detecting',
          actions: assign(({ context, event }) => ({
            heldJob: {
              id: event.jobId,
              companyId: context.companyId,
              createdAt: '',
              since: Date.now(),
            },
            unknownClaimIds: context.unknownClaimIds.filter((id) => id !== event.jobId),
          })),
        },
        STOP: 'stopped',
      },
    },

    /** Rule 8: a burst after a detection waits out the gap, then costs one detection. */
    cooldown: {
      after: { detectionGap: 'detecting' },
      on: { TRIGGER: coalesce, STOP: 'stopped' },
    },

    detecting: {
      always: { guard: 'stopRequested', target: 'stopped' },
      entry: [
        'clearRedetect',
        assign(({ context }) => ({
          lastDetectionStartedAt: Date.now(),
          counters: { ...context.counters, detections: context.counters.detections + 1 },
        })),
        emit(({ event }) => ({
          type: 'detect:start' as const,
          source: event.type === 'TRIGGER' ? event.source : 'drain' as const,
        })),
      ],
      invoke: {
        src: 'detectJobs',
        input: ({ context }) => ({
          companyId: context.companyId,
          heldJobId: context.heldJob?.id ?? null,
          unknownClaimIds: context.unknownClaimIds,
        }),
        onDone: {
          target: 'selecting',
          actions: enqueueActions(({ context, event, enqueue }) => {
            const next = afterDetection(context, event.output, Date.now());
            enqueue.emit({
              type: 'detect:done',
              found: event.output.jobs.length,
              skipped: event.output.skipped,
            });
            if (context.heldJob && next.heldJob === null) {
              enqueue.emit({ type: 'job:released', jobId: context.heldJob.id });
            }
            for (const jobId of next.unresolvedReported ?? []) {
              if (context.unresolvedReported.includes(jobId)) continue;
              enqueue.emit({ type: 'claim:unresolved', jobId });
            }
            enqueue.assign(next);
          }),
        },
        onError: [
          { guard: 'isAuthFailure', target: 'fatal', actions: 'recordFailure' },
          {
            target: 'retryWait',
            actions: [
              'recordFailure',
              emit(({ context }) => ({
                type: 'detect:failed' as const,
                error: lastFailureOf(context),
                attempt: context.failures,
              })),
            ],
          },
        ],
      },
      on: { TRIGGER: coalesce, STOP: 'stopped' },
    },

    selecting: {
      always: [
        {
          guard: 'mustResumeHeldJob',
          target: 'claimed',
          actions: enqueueActions(({ context, enqueue }) => {
            if (context.selection.kind !== 'resume') return;
            const { job, adopted } = context.selection;
            enqueue.assign({
              heldJob: holdJob(job, Date.now(), context.heldJob),
              counters: { ...context.counters, resumed: context.counters.resumed + 1 },
            });
            enqueue.emit({ type: 'job:resumed', jobId: job.id, adopted });
          }),
        },
        {
          guard: 'mustWaitForForeignJob',
          target: 'idle',
          actions: emit(({ context }) => ({
            type: 'wait:foreign' as const,
            jobId: context.selection.kind === 'wait' ? context.selection.foreignJob?.id ?? '' : '',
          })),
        },
        {
          guard: 'hasClaimableJob',
          target: 'preChecking',
          actions: enqueueActions(({ context, enqueue }) => {
            if (context.selection.kind !== 'claim') return;
            const { job } = context.selection;
            enqueue.assign({ candidate: job });
            enqueue.emit({ type: 'job:selected', jobId: job.id, createdAt: job.createdAt });
          }),
        },
        { target: 'idle', actions: emit({ type: 'detect:empty' as const }) },
      ],
    },

    preChecking: {
      invoke: {
        src: 'runPreChecks',
        input: ({ context }) => ({ companyId: context.companyId, job: context.candidate! }),
        onDone: [
          { guard: 'preChecksPassed', target: 'claiming' },
          {
            // The job is left untouched; it is retried on the next trigger.
            // Triggers that came meanwhile are dropped so a failing check does
            // not spin.
            target: 'idle',
            actions: [
              emit(({ context, event }) => ({
                type: 'precheck:failed' as const,
                jobId: context.candidate?.id ?? '',
                failures: event.output.ok ? [] : event.output.failures,
              })),
              assign({ candidate: null, redetect: false }),
            ],
          },
        ],
        onError: {
          target: 'idle',
          actions: [
            emit(({ context, event }) => ({
              type: 'precheck:failed' as const,
              jobId: context.candidate?.id ?? '',
              failures: [{ name: 'preChecks', reason: toFailureInfo(event.error, 0).message }],
            })),
            assign({ candidate: null, redetect: false }),
          ],
        },
      },
      on: { TRIGGER: coalesce, STOP: 'stopped' },
    },

    claiming: {
      initial: 'recordingIntent',
      entry: assign(({ context }) => ({ claimIntent: context.candidate?.id ?? null })),
      exit: assign({ claimIntent: null }),
      on: { TRIGGER: coalesce },
      states: {
        recordingIntent: {
          invoke: {
            src: 'persistClaimIntent',
            input: ({ context }) => ({
              companyId: context.companyId,
              jobId: context.candidate!.id,
            }),
            onDone: [
              { guard: 'stopRequested', target: '#exportJob.stopped' },
              { target: 'sending' },
            ],
            onError: { target: '#exportJob.retryWait', actions: 'recordFailure' },
          },
        },
        sending: {
          invoke: {
            src: 'claimJob',
            input: ({ context }) => ({ companyId: context.companyId, job: context.candidate! }),
            onDone: {
              target: '#exportJob.claimed',
              actions: [
                assign(({ context }) => ({
                  heldJob: holdJob(context.candidate!, Date.now(), null),
                  candidate: null,
                  counters: { ...context.counters, claims: context.counters.claims + 1 },
                })),
                emit(({ context }) => ({
                  type: 'job:claimed' as const,
                  jobId: context.heldJob?.id ?? '',
                })),
              ],
            },
            onError: [
              { guard: 'isClaimConflict', target: '#exportJob.conflict' },
              {
                // Pleo refused this one job's claim outright (e.g. 404: gone).
                // Set it aside like a lost race, so it cannot block the jobs
                // behind it.
                guard: 'isClaimRefused',
                target: '#exportJob.conflict',
                actions: emit(({ context, event }) => ({
                  type: 'claim:failed' as const,
                  jobId: context.candidate?.id ?? '',
                  error: toFailureInfo(event.error, Date.now()),
                })),
              },
              { guard: 'isAuthFailure', target: '#exportJob.fatal', actions: 'recordFailure' },
              {
                guard: 'isAmbiguousClaim',
                target: '#exportJob.detecting',
                actions: [
                  assign(({ context }) => ({
                    unknownClaimIds: [
                      ...new Set([...context.unknownClaimIds, context.candidate!.id]),
                    ],
                    redetect: false,
                  })),
                  emit(({ context, event }) => ({
                    type: 'claim:unknown' as const,
                    jobId: context.candidate?.id ?? '',
                    error: toFailureInfo(event.error, Date.now()),
                  })),
                ],
              },
              {
                target: '#exportJob.retryWait',
                actions: [
                  'recordFailure',
                  emit(({ context, event }) => ({
                    type: 'claim:failed' as const,
                    jobId: context.candidate?.id ?? '',
                    error: toFailureInfo(event.error, Date.now()),
                  })),
                ],
              },
            ],
          },
        },
      },
    },

    conflict: {
      always: { guard: 'stopRequested', target: 'stopped' },
      entry: [
        assign(({ context }) => ({
          excludedUntil: context.candidate
            ? {
                ...context.excludedUntil,
                [context.candidate.id]: Date.now() + context.conflictExclusionMs,
              }
            : context.excludedUntil,
          counters: { ...context.counters, conflicts: context.counters.conflicts + 1 },
        })),
        emit(({ context }) => ({
          type: 'claim:conflict' as const,
          jobId: context.candidate?.id ?? '',
        })),
        assign({ candidate: null }),
      ],
      after: { conflictBackoff: 'detecting' },
      on: { TRIGGER: coalesce, STOP: 'stopped' },
    },

    claimed: {
      initial: 'routing',
      on: { TRIGGER: coalesce },
      states: {
        routing: {
          always: [
            { guard: 'stopRequested', target: '#exportJob.stopped' },
            { guard: 'hasUnreportedOutcome', target: '#exportJob.reporting' },
            { guard: 'hasProcessor', target: 'processing' },
            { target: 'awaitingHost' },
          ],
        },
        processing: {
          entry: 'announceProcessing',
          invoke: {
            src: 'processJob',
            input: ({ context }) => ({ companyId: context.companyId, job: context.heldJob! }),
            onDone: {
              target: '#exportJob.reporting',
              actions: assign(({ context, event }) => ({
                heldJob: { ...context.heldJob!, outcome: event.output },
              })),
            },
            onError: {
              // A throwing processor is a failed export, not a broken orchestrator.
              target: '#exportJob.reporting',
              actions: assign(({ context, event }) => ({
                heldJob: { ...context.heldJob!, outcome: outcomeOfFailure(event.error) },
              })),
            },
          },
        },
        awaitingHost: {
          entry: 'announceProcessing',
          on: {
            'JOB.FINISHED': {
              guard: 'finishesHeldJob',
              target: '#exportJob.reporting',
              actions: assign(({ context, event }) => ({
                heldJob: { ...context.heldJob!, outcome: event.outcome },
              })),
            },
            STOP: '#exportJob.stopped',
          },
        },
      },
    },

    reporting: {
      on: { TRIGGER: coalesce },
      invoke: {
        src: 'reportOutcome',
        input: ({ context }) => ({
          companyId: context.companyId,
          job: context.heldJob!,
          outcome: context.heldJob!.outcome!,
        }),
        onDone: [
          { guard: 'stopRequested', target: 'stopped', actions: 'releaseReportedJob' },
          {
            // Draining a backlog: the next job comes from the listing just
            // read instead of paging through every job again after each one.
            guard: 'canReuseListing',
            target: 'selecting',
            actions: ['reuseListing', 'releaseReportedJob'],
          },
          { target: 'detecting', actions: 'releaseReportedJob' },
        ],
        onError: [
          { guard: 'isAuthFailure', target: 'fatal', actions: 'recordFailure' },
          {
            target: 'reportRetryWait',
            actions: [
              'recordFailure',
              emit(({ context }) => ({
                type: 'report:failed' as const,
                jobId: context.heldJob?.id ?? '',
                error: lastFailureOf(context),
                attempt: context.failures,
              })),
            ],
          },
        ],
      },
    },

    reportRetryWait: {
      always: { guard: 'stopRequested', target: 'stopped' },
      on: { TRIGGER: coalesce, STOP: 'stopped' },
      after: { retryBackoff: 'reporting' },
    },

    retryWait: {
      always: { guard: 'stopRequested', target: 'stopped' },
      on: { TRIGGER: coalesce, STOP: 'stopped' },
      after: { retryBackoff: 'detecting' },
    },

    fatal: {
      always: { guard: 'stopRequested', target: 'stopped' },
      entry: emit(({ context }) => ({
        type: 'fatal' as const,
        error: lastFailureOf(context),
      })),
      // Triggers are refused here (the orchestrator answers false); once the
      // host has fixed the cause, RECOVER detects at once.
      on: {
        RECOVER: { target: 'detecting', actions: assign({ failures: 0 }) },
        STOP: 'stopped',
      },
    },

    stopped: {
      type: 'final',
      entry: emit({ type: 'stopped' as const }),
    },
  },
});

export type ExportJobMachine = typeof exportJobMachine;
