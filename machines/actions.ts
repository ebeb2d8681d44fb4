/**
 * Context updates of the export-job machine, as small named functions. The
 * machine wraps them in `assign`; none of them performs I/O.
 */
import { selectJob, type SelectionInput } from '../src/selection.js';
import type { ExportJob } from '../src/pleo/schemas.js';
import type {
  DetectOutput,
  FailureInfo,
  HeldJob,
  JobOutcome,
  MachineContext,
  MachineInput,
} from './types.js';

export const DEFAULT_CONFLICT_EXCLUSION_MS = 10 * 60_000;

export function initialContext(input: MachineInput): MachineContext {
  const unknown = new Set(input.unknownClaimIds ?? []);
  return {
    companyId: input.companyId,
    exclusive: input.exclusive ?? false,
    soleWorker: input.soleWorker ?? false,
    hasProcessor: input.hasProcessor ?? true,
    conflictExclusionMs: input.conflictExclusionMs ?? DEFAULT_CONFLICT_EXCLUSION_MS,
    minDetectionGapMs: input.minDetectionGapMs ?? 0,
    listingReuseMs: input.listingReuseMs ?? 0,
    heldJob: input.heldJob ?? null,
    detected: [],
    selection: { kind: 'none' },
    candidate: null,
    claimIntent: null,
    outcome: null,
    redetect: false,
    stopRequested: false,
    excludedUntil: {},
    unknownClaimIds: [...unknown],
    unresolvedReported: [],
    failures: 0,
    lastFailure: null,
    lastDetectionAt: null,
    lastDetectionStartedAt: null,
    counters: {
      detections: 0,
      claims: 0,
      conflicts: 0,
      resumed: 0,
      completed: 0,
      failed: 0,
      coalescedTriggers: 0,
    },
  };
}

/** Makes a caught value into the small, serialisable record the context keeps. */
export function toFailureInfo(error: unknown, now: number): FailureInfo {
  const record = typeof error === 'object' && error !== null
    ? (error as { code?: unknown; message?: unknown; retryAfterMs?: unknown })
    : {};
  return {
    code: typeof record.code === 'string' ? record.code : 'UNKNOWN',
    message: typeof record.message === 'string' ? record.message : String(error),
    at: now,
    retryAfterMs: typeof record.retryAfterMs === 'number' ? record.retryAfterMs : undefined,
  };
}

/** What selection needs from the context, over a given list of jobs. */
export function selectionInput(
  context: MachineContext,
  jobs: readonly ExportJob[],
  now: number,
): SelectionInput {
  return {
    jobs,
    companyId: context.companyId,
    heldJobId: context.heldJob?.id ?? null,
    unknownClaimIds: context.unknownClaimIds,
    excludedUntil: context.excludedUntil,
    exclusive: context.exclusive,
    soleWorker: context.soleWorker,
    now,
  };
}

export function afterDetection(
  context: MachineContext,
  output: DetectOutput,
  now: number,
): Partial<MachineContext> {
  const excludedUntil = pruneExclusions(context.excludedUntil, now, context.conflictExclusionMs);
  const result = selectJob({
    ...selectionInput({ ...context, excludedUntil }, output.jobs, now),
    unreadable: output.unreadable ?? 0,
  });
  const resolved = new Set(result.resolvedUnknownIds);
  return {
    detected: output.jobs,
    selection: result.selection,
    heldJob: result.releasedHeldJob ? null : context.heldJob,
    unknownClaimIds: context.unknownClaimIds.filter((id) => !resolved.has(id)),
    unresolvedReported: [
      ...new Set([...context.unresolvedReported, ...result.unknownInProgress.map((j) => j.id)]),
    ],
    excludedUntil,
    failures: 0,
    lastDetectionAt: now,
  };
}

/**
 * Drops exclusions that ended. One that ends further away than an exclusion
 * lasts means the wall clock went back: it is dropped too, rather than keep
 * a job aside for as long as the clock jumped.
 */
function pruneExclusions(
  excludedUntil: Record<string, number>,
  now: number,
  longestMs: number,
): Record<string, number> {
  const kept: Record<string, number> = {};
  for (const [id, until] of Object.entries(excludedUntil)) {
    if (until > now && until - now <= longestMs) kept[id] = until;
  }
  return kept;
}

export function holdJob(job: ExportJob, now: number, previous: HeldJob | null): HeldJob {
  if (previous && previous.id === job.id) return previous;
  return { id: job.id, companyId: job.companyId, createdAt: job.createdAt, since: now };
}

/** Turns whatever a processor produced or threw into an outcome to report. */
export function outcomeOfFailure(error: unknown): JobOutcome {
  const message = error instanceof Error ? error.message : String(error);
  const timedOut = (error as { code?: unknown } | null)?.code === 'STEP_TIMEOUT';
  return {
    status: 'failed',
    failureReason: `Processing failed: ${message}`.slice(0, 500),
    failureReasonType: timedOut ? 'accounting_system_timeout' : 'integration_unusable',
  };
}

/** What is left of the gap; nothing when the wall clock went back meanwhile. */
export function detectionGapMs(context: MachineContext, now: number): number {
  if (context.lastDetectionStartedAt === null) return 0;
  const elapsed = now - context.lastDetectionStartedAt;
  if (elapsed < 0) return 0;
  return Math.max(0, context.minDetectionGapMs - elapsed);
}

/**
 * The last listing without the job just reported, and what selection makes
 * of it: the drain's next job, when the listing may still serve.
 */
export function selectFromListing(context: MachineContext, now: number) {
  const remaining = context.detected.filter((job) => job.id !== context.heldJob?.id);
  const { selection } = selectJob(selectionInput({ ...context, heldJob: null }, remaining, now));
  return { remaining, selection };
}

/** The failure to report, when the context kept none. */
export function lastFailureOf(context: MachineContext): FailureInfo {
  return context.lastFailure ?? toFailureInfo('unknown', Date.now());
}
