/**
 * The public types of an orchestrator: what a host passes in (pre-checks, a
 * processor) and what it gets back (status, lifecycle events).
 */
import type { Logger } from 'pino';
import type {
  Counters,
  FailureInfo,
  HeldJob,
  JobOutcome,
  LifecycleEvent,
  TriggerSource,
} from '../../machines/types.js';
import type { PleoClient } from '../pleo/client.js';
import type { ExportJob } from '../pleo/schemas.js';

export type { Counters, JobOutcome, LifecycleEvent, TriggerSource, HeldJob, FailureInfo };

export interface StepContext {
  /** Aborted when the orchestrator stops and the step must give up. */
  signal: AbortSignal;
  /** A child logger bound to the job and company. */
  logger: Logger;
  client: PleoClient;
}

/**
 * A check that must pass before a job is claimed, such as "the accounting
 * system answers" or "the chart of accounts is mapped". Resolve `true` (or
 * `{ ok: true }`) to pass; resolve `false`, `{ ok: false, reason }` or throw
 * to fail. A failing check leaves the job untouched for a later attempt.
 */
export type PreCheckFn = (
  job: ExportJob,
  context: StepContext,
) => Promise<PreCheckVerdict> | PreCheckVerdict;
export type PreCheckVerdict = boolean | { ok: boolean; reason?: string };
export type PreCheck = PreCheckFn | { name: string; check: PreCheckFn };

/**
 * The integration's processing of a claimed job. It resolves to the outcome
 * to report; if it throws, the job is reported `failed`.
 */
export type Processor = (job: ExportJob, context: StepContext) => Promise<JobOutcome>;

/** A lifecycle event, with the company it concerns. */
export type OrchestratorEvent = LifecycleEvent & { companyId: string | undefined; at: number };

export interface OrchestratorStatus {
  companyId: string | undefined;
  /** The machine's state, e.g. `idle`, `claimed.processing`, `fatal`. */
  state: string;
  running: boolean;
  heldJob: HeldJob | null;
  /** The job being pre-checked or claimed. */
  candidateJobId: string | null;
  /** Jobs whose claim outcome is unknown: `in_progress`, maybe ours; see `adopt`. */
  unknownClaims: string[];
  /** With `exclusive`: the other worker's job this orchestrator waits on. */
  waitingForJobId: string | null;
  lastDetectionAt: string | null;
  lastFailure: FailureInfo | null;
  counters: Counters;
}
