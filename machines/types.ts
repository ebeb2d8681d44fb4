/**
 * The vocabulary of the export-job machine: its context, the events it
 * accepts, the lifecycle events it emits and the inputs and outputs of the
 * actors the orchestrator provides. Types only; no I/O.
 */
import type { ExportJob, FailureReasonType } from '../src/pleo/schemas.js';
import type { Selection } from '../src/selection.js';

export type TriggerSource = 'webhook' | 'schedule' | 'manual' | 'startup';

/** How the integration's processing of a claimed job ended. */
export type JobOutcome =
  | { status: 'completed' }
  | {
      status: 'completed_with_errors';
      failureReason?: string;
      failureReasonType?: FailureReasonType;
    }
  | { status: 'failed'; failureReason: string; failureReasonType: FailureReasonType };

/** A job this orchestrator has claimed (or resumed) and not yet reported. */
export interface HeldJob {
  id: string;
  companyId?: string | undefined;
  createdAt: string;
  /** Epoch ms when this orchestrator began holding it. */
  since: number;
  /** Set once processing ended, so a restart reports instead of processing again. */
  outcome?: JobOutcome | undefined;
}

export type MachineEvent =
  | { type: 'TRIGGER'; source: TriggerSource; jobId?: string }
  | { type: 'JOB.FINISHED'; jobId: string; outcome: JobOutcome }
  /** Take over a job whose claim outcome was unknown, on the operator's word. */
  | { type: 'ADOPT'; jobId: string }
  /** Stop; a running claim, processor or report is let finish unless `force`. */
  | { type: 'STOP'; force?: boolean }
  /** Leave `fatal` once the host has fixed what stopped the machine. */
  | { type: 'RECOVER' };

export interface MachineInput {
  companyId?: string | undefined;
  exclusive?: boolean;
  soleWorker?: boolean;
  /** False when the host calls `finish()` itself instead of passing a processor. */
  hasProcessor?: boolean;
  /** The persisted hold from a previous run, if any. */
  heldJob?: HeldJob | null;
  /** Jobs whose `started` may have been applied without our knowing. */
  unknownClaimIds?: string[];
  /** How long a job lost in a claim race is left alone. */
  conflictExclusionMs?: number;
  /** Least time between the starts of two trigger-driven detections. */
  minDetectionGapMs?: number;
  /** How long a listing may serve the next jobs of a drain; 0 re-lists after each job. */
  listingReuseMs?: number;
}

export interface FailureInfo {
  code: string;
  message: string;
  at: number;
  retryAfterMs?: number | undefined;
}

export interface MachineContext {
  companyId: string | undefined;
  exclusive: boolean;
  soleWorker: boolean;
  hasProcessor: boolean;
  conflictExclusionMs: number;
  minDetectionGapMs: number;
  listingReuseMs: number;
  heldJob: HeldJob | null;
  /** What the last detection found, in the server's order. */
  detected: ExportJob[];
  selection: Selection;
  /** The pending job chosen for pre-checks and the claim. */
  candidate: ExportJob | null;
  /** A `started` is about to be, or was, sent for this job (persisted first). */
  claimIntent: string | null;
  outcome: JobOutcome | null;
  /** A trigger arrived during a cycle: detect once more when it ends. */
  redetect: boolean;
  stopRequested: boolean;
  excludedUntil: Record<string, number>;
  unknownClaimIds: string[];
  /** Unknown claims already reported as unresolved in this run. */
  unresolvedReported: string[];
  /** Consecutive failures of detection or reporting, for the backoff. */
  failures: number;
  lastFailure: FailureInfo | null;
  lastDetectionAt: number | null;
  lastDetectionStartedAt: number | null;
  counters: Counters;
}

export interface Counters {
  detections: number;
  claims: number;
  conflicts: number;
  resumed: number;
  completed: number;
  failed: number;
  coalescedTriggers: number;
}

export interface DetectInput extends LaneInput {
  heldJobId: string | null;
  unknownClaimIds: string[];
}
export interface DetectOutput {
  jobs: ExportJob[];
  /** Records skipped because they failed the schema. */
  skipped: number;
  /** Of those, the ones that may be a job in progress (status unreadable or `in_progress`). */
  unreadable?: number;
}

/** Every actor is told whose lane it works for, so one set of actors serves all lanes. */
interface LaneInput {
  companyId: string | undefined;
}

export interface PreCheckInput extends LaneInput {
  job: ExportJob;
}
export type PreCheckOutput =
  | { ok: true }
  | { ok: false; failures: Array<{ name: string; reason: string }> };

export interface ClaimInput extends LaneInput {
  job: ExportJob;
}
export interface ProcessInput extends LaneInput {
  job: HeldJob;
}
export interface ReportInput extends LaneInput {
  job: HeldJob;
  outcome: JobOutcome;
}

/** Typed lifecycle events the machine emits beside its transitions. */
export type LifecycleEvent =
  | { type: 'detect:start'; source: TriggerSource | 'drain' | 'retry' }
  | { type: 'detect:done'; found: number; skipped: number }
  | { type: 'detect:empty' }
  | { type: 'detect:failed'; error: FailureInfo; attempt: number }
  | { type: 'job:selected'; jobId: string; createdAt: string }
  | { type: 'job:resumed'; jobId: string; adopted: boolean }
  | { type: 'job:released'; jobId: string }
  | { type: 'wait:foreign'; jobId: string }
  | { type: 'precheck:failed'; jobId: string; failures: Array<{ name: string; reason: string }> }
  | { type: 'job:claimed'; jobId: string }
  | { type: 'claim:conflict'; jobId: string }
  | { type: 'claim:unknown'; jobId: string; error: FailureInfo }
  /** An unknown claim is `in_progress`: it waits for `adopt` (once per job and run). */
  | { type: 'claim:unresolved'; jobId: string }
  | { type: 'claim:failed'; jobId: string; error: FailureInfo }
  | { type: 'job:processing'; jobId: string }
  | { type: 'job:finished'; jobId: string; outcome: JobOutcome; durationMs: number }
  | { type: 'report:failed'; jobId: string; error: FailureInfo; attempt: number }
  | { type: 'trigger:coalesced'; source: TriggerSource }
  | { type: 'fatal'; error: FailureInfo }
  | { type: 'stopped' };

export interface ClaimIntentInput extends LaneInput {
  jobId: string;
}
