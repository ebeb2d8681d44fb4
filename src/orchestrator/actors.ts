/**
 * The I/O behind the export-job machine: each actor is one step (detect,
 * pre-check, record the claim intent, claim, process, report) written as a
 * small async function over the Pleo client and the state store.
 */
import type { Logger } from 'pino';
import { fromPromise } from 'xstate';
import type {
  ClaimInput,
  ClaimIntentInput,
  DetectInput,
  DetectOutput,
  HeldJob,
  JobOutcome,
  PreCheckInput,
  PreCheckOutput,
  ProcessInput,
  ReportInput,
} from '../../machines/types.js';
import {
  RequestRejectedError,
  StatusConflictError,
  isAmbiguousOutcome,
  toError,
} from '../errors.js';
import type { ListJobsResult, PleoClient } from '../pleo/client.js';
import type { ExportJob } from '../pleo/schemas.js';
import { JobOutcomeSchema } from '../outcome.js';
import { withTimeLimit } from './time-limit.js';
import type { PreCheck, Processor, StepContext } from './types.js';

/** What the actors need of the lane they work for. */
export interface LaneDeps {
  client: PleoClient;
  logger: Logger;
  /** Lists the lane's jobs; defaults to the client's own listing. */
  listJobs?: (companyId: string | undefined, signal: AbortSignal) => Promise<ListJobsResult>;
  /** Resolves once the claim intent for `jobId` is durable. */
  recordClaimIntent: (jobId: string) => Promise<void>;
  /** Resolves once the hold of `job` is durable. */
  recordHold: (job: HeldJob) => Promise<void>;
  /** The full job record last read for `jobId`, if detection saw it. */
  lastSeen: (jobId: string) => ExportJob | undefined;
}

export interface ActorDeps {
  preChecks: readonly PreCheck[];
  processor: Processor | undefined;
  /** Time limits of the host's steps; 0 for none. */
  preCheckTimeoutMs: number;
  processorTimeoutMs: number;
  /** The lane of a company (`undefined`: the single lane without a company). */
  lane: (companyId: string | undefined) => LaneDeps;
}

export function createActors(deps: ActorDeps) {
  const stepContext = (
    lane: LaneDeps,
    job: { id: string; companyId?: string | undefined },
    signal: AbortSignal,
  ): StepContext => ({
    signal,
    client: lane.client,
    logger: lane.logger.child({ jobId: job.id, companyId: job.companyId }),
  });

  return {
    detectJobs: fromPromise<DetectOutput, DetectInput>(async ({ input, signal }) => {
      const lane = deps.lane(input.companyId);
      const listed = lane.listJobs
        ? await lane.listJobs(input.companyId, signal)
        : await lane.client.listJobs({ companyId: input.companyId, signal });
      for (const skipped of listed.invalid) {
        lane.logger.warn(
          { jobId: skipped.id, page: skipped.page, issues: skipped.issues },
          'skipped a job record that does not match the schema',
        );
      }
      const jobs = [...listed.jobs];
      // A held job or an unknown claim missing from the listing may have
      // finished, or the listing missed it (an unreadable record, a page
      // that shifted); only a direct read tells which. Forgetting one wrongly
      // would leave the job `in_progress` with no owner until it expires.
      const listedIds = new Set(jobs.map((job) => job.id));
      const mustKnow = [input.heldJobId, ...input.unknownClaimIds];
      for (const id of new Set(mustKnow)) {
        if (!id || listedIds.has(id)) continue;
        const job = await readUnlessGone(lane.client, id, signal);
        if (job) jobs.push(job);
      }
      // Unreadable records that may be another worker's job in progress.
      const unreadable = listed.invalid
        .filter((record) => record.status === undefined || record.status === 'in_progress')
        .length;
      return { jobs, skipped: listed.invalid.length, unreadable };
    }),

    runPreChecks: fromPromise<PreCheckOutput, PreCheckInput>(async ({ input, signal }) => {
      const lane = deps.lane(input.companyId);
      const failures: Array<{ name: string; reason: string }> = [];
      for (const [index, preCheck] of deps.preChecks.entries()) {
        let name = `preCheck#${index + 1}`;
        try {
          // Read inside the try: a host object's getter may throw too.
          name = (typeof preCheck === 'function' ? preCheck.name : preCheck.name) || name;
          const check = typeof preCheck === 'function' ? preCheck : preCheck.check;
          const verdict = await withTimeLimit(
            (stepSignal) => check(input.job, stepContext(lane, input.job, stepSignal)),
            deps.preCheckTimeoutMs,
            signal,
            `Pre-check '${name}'`,
          );
          const ok = typeof verdict === 'boolean' ? verdict : verdict.ok;
          if (!ok) {
            const reason = typeof verdict === 'object' ? verdict.reason : undefined;
            failures.push({ name, reason: reason ?? 'the check returned false' });
          }
        } catch (error) {
          failures.push({ name, reason: `the check threw: ${toError(error).message}` });
        }
      }
      return failures.length === 0 ? { ok: true } : { ok: false, failures };
    }),

    persistClaimIntent: fromPromise<void, ClaimIntentInput>(async ({ input }) => {
      await deps.lane(input.companyId).recordClaimIntent(input.jobId);
    }),

    // Exactly one `started` per attempt. Never retried here: a resend after an
    // unclear failure could claim a job that another worker has since taken.
    claimJob: fromPromise<void, ClaimInput>(async ({ input }) => {
      const lane = deps.lane(input.companyId);
      await lane.client.sendJobEvent({ event: 'started', jobId: input.job.id });
    }),

    processJob: fromPromise<JobOutcome, ProcessInput>(async ({ input, signal }) => {
      const processor = deps.processor;
      if (!processor) throw new Error('No processor was configured.');
      const lane = deps.lane(input.companyId);
      // The hold must be on disk before any work: a crash during processing
      // then resumes the job instead of leaving an unknown claim behind.
      await lane.recordHold(input.job).catch((error: unknown) => {
        lane.logger.error({ err: error, jobId: input.job.id }, 'could not record the held job');
      });
      const job = lane.lastSeen(input.job.id)
        ?? (await lane.client.getJob(input.job.id, { signal }));
      const result = await withTimeLimit(
        (stepSignal) => processor(job, stepContext(lane, job, stepSignal)),
        deps.processorTimeoutMs,
        signal,
        'The processor',
      );
      const outcome = JobOutcomeSchema.safeParse(result);
      if (!outcome.success) {
        throw new Error(`The processor resolved to an invalid outcome: ${outcome.error.message}`);
      }
      return outcome.data;
    }),

    reportOutcome: fromPromise<void, ReportInput>(async ({ input, signal }) => {
      await reportOnce(deps.lane(input.companyId), input, signal);
    }),
  };
}

/**
 * Sends the outcome event once. When the answer is unclear (timeout, reset)
 * or a conflict, the job is read: if Pleo already shows it finished, the
 * report is done; otherwise the error goes up and the machine retries later.
 */
async function reportOnce(deps: LaneDeps, input: ReportInput, signal: AbortSignal) {
  const { job, outcome } = input;
  const body = outcome.status === 'completed'
    ? { event: outcome.status, jobId: job.id }
    : {
        event: outcome.status,
        jobId: job.id,
        ...(outcome.failureReason ? { failureReason: outcome.failureReason } : {}),
        ...(outcome.failureReasonType ? { failureReasonType: outcome.failureReasonType } : {}),
      };
  try {
    await deps.client.sendJobEvent(body);
  } catch (error) {
    if (!(error instanceof StatusConflictError) && !isAmbiguousOutcome(error)) throw error;
    const current = await deps.client.getJob(job.id, { signal });
    if (current.status === 'in_progress' || current.status === 'pending') throw error;
    if (current.status !== outcome.status) {
      deps.logger.warn(
        { jobId: job.id, reported: outcome.status, actual: current.status,
          failureReasonType: current.failureReasonType },
        'job had already ended with another status when its outcome was reported',
      );
    }
  }
}

/** Reads a job; a 404 means Pleo no longer has it, which releases a hold. */
async function readUnlessGone(client: PleoClient, jobId: string, signal: AbortSignal) {
  try {
    return await client.getJob(jobId, { signal });
  } catch (error) {
    if (error instanceof RequestRejectedError && error.status === 404) return undefined;
    throw error;
  }
}
