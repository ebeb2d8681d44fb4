/**
 * The guards of the export-job machine. Each one carries a rule of the
 * design; its name says which. Pure functions of context and event.
 */
import { isAmbiguousOutcome } from '../src/errors.js';
import { detectionGapMs, selectFromListing } from './actions.js';
import type { MachineContext, MachineEvent, PreCheckOutput } from './types.js';

interface GuardArgs {
  context: MachineContext;
  event: MachineEvent | { type: string; output?: unknown; error?: unknown };
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function errorOf(event: GuardArgs['event']): unknown {
  return 'error' in event ? event.error : undefined;
}

export const guards = {
  /** Rule 6: the job we hold is still `in_progress`, so resume it, no new `started`. */
  mustResumeHeldJob: ({ context }: GuardArgs) => context.selection.kind === 'resume',

  /** Rule 6 with `exclusive`: another worker's job is `in_progress`; claim nothing. */
  mustWaitForForeignJob: ({ context }: GuardArgs) => context.selection.kind === 'wait',

  /**
   * Rules 2 and 3: there is an oldest claimable job and this orchestrator
   * holds none. Holding a job here would mean two jobs at once.
   */
  hasClaimableJob: ({ context }: GuardArgs) =>
    context.selection.kind === 'claim' && context.heldJob === null,

  /** Rule 4: every pre-check passed, and still no job is held. */
  preChecksPassed: ({ context, event }: GuardArgs) => {
    const output = 'output' in event ? (event.output as PreCheckOutput | undefined) : undefined;
    return output?.ok === true && context.heldJob === null && context.candidate !== null;
  },

  /** Rule 5: another worker won the claim (`INVALID_EXPORT_JOB_STATUS_CHANGE`). */
  isClaimConflict: ({ event }: GuardArgs) => codeOf(errorOf(event)) === 'PLEO_STATUS_CONFLICT',

  /** Pleo refused the claim of this job for another reason than its status (4xx). */
  isClaimRefused: ({ event }: GuardArgs) => codeOf(errorOf(event)) === 'PLEO_REQUEST_REJECTED',

  /** Rule 7: the `started` may or may not have been applied. */
  isAmbiguousClaim: ({ event }: GuardArgs) => isAmbiguousOutcome(errorOf(event)),

  /** Credentials rejected: retrying cannot help until the host fixes them. */
  isAuthFailure: ({ event }: GuardArgs) => codeOf(errorOf(event)) === 'PLEO_AUTH_REJECTED',

  /** Rule 8: a trigger arrived during the last cycle; detect once more. */
  hasCoalescedTrigger: ({ context }: GuardArgs) => context.redetect,

  /** Rule 8: a detection began less than the minimum gap ago; wait, then detect once. */
  detectedRecently: ({ context }: GuardArgs) => detectionGapMs(context, Date.now()) > 0,

  /**
   * Rule 3 with fewer calls: the listing read at the start of this drain is
   * recent, no trigger came since, and it still holds a claimable job. New
   * jobs are created later than every listed one, so the oldest listed job
   * is still the oldest; a job another worker took meanwhile ends in a
   * conflict, which detects afresh.
   */
  canReuseListing: ({ context }: GuardArgs) => {
    if (context.redetect || context.listingReuseMs <= 0) return false;
    const now = Date.now();
    const age = context.lastDetectionAt === null ? Infinity : now - context.lastDetectionAt;
    // A negative age means the wall clock went back: the listing's age is unknown.
    if (age < 0 || age >= context.listingReuseMs) return false;
    return selectFromListing(context, now).selection.kind === 'claim';
  },

  /** Rule 2: adopting a job is only possible while holding none. */
  holdsNoJob: ({ context }: GuardArgs) => context.heldJob === null,

  /** The host's `finish()` names the job we hold, not some other one. */
  finishesHeldJob: ({ context, event }: GuardArgs) =>
    event.type === 'JOB.FINISHED' && 'jobId' in event && context.heldJob?.id === event.jobId,

  hasProcessor: ({ context }: GuardArgs) => context.hasProcessor,

  /** Processing ended before a restart; report its outcome, do not process again. */
  hasUnreportedOutcome: ({ context }: GuardArgs) => context.heldJob?.outcome !== undefined,

  stopRequested: ({ context }: GuardArgs) => context.stopRequested,

  isForcedStop: ({ event }: GuardArgs) =>
    event.type === 'STOP' && 'force' in event && event.force === true,
};
