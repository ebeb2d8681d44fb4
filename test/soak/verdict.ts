/**
 * The verdict of a run: from the emulator's final jobs, its request log and
 * the shared ledger, whether any job was lost or exported twice. Used by the
 * reliability tests and the soak alike, so both judge by the same rules.
 */
import type { Job, RecordedRequest } from '../../src/emulator/index.js';
import { compareInstants, parseInstant } from '../../src/pleo/instant.js';
import { examineClaims } from './claims.js';
import { examineLedger, type LedgerLine } from './ledger.js';

const TERMINAL = new Set(['completed', 'completed_with_errors', 'failed']);

export interface Verdict {
  jobs: number;
  completed: number;
  /** Terminal but not completed (a failed export is reported, not lost). */
  failed: string[];
  /** Still `pending` or `in_progress` at the end. */
  lost: string[];
  /** Items booked twice in the ledger. */
  duplicateBookings: string[];
  /** A processor run that was neither the first nor after an interruption. */
  unjustifiedReruns: Array<{ jobId: string; pids: [number, number] }>;
  /** A worker sent `started` again for a job its own `started` had claimed. */
  resentClaims: Array<{ jobId: string; auth: string }>;
  /** Jobs our workers claimed and completed without their processor running. */
  neverProcessed: string[];
  rerunsAfterInterruption: number;
  startedSent: number;
  conflicts: number;
  /** Jobs claimed before an older job of the same company was. */
  claimedOutOfOrder: string[];
  /** Per job, the credential label of the worker whose claim won. */
  claimedBy: Map<string, string>;
  /** Per job, the worker label of its last processor run. */
  processedBy: Map<string, string>;
  /** Per job, how many times its processor began. */
  runsPerJob: Map<string, number>;
  /** Per job, how many `started` were sent. */
  startedPerJob: Map<string, number>;
  /** Per job, its status at the end. */
  statuses: Map<string, string>;
}

export function judge(
  jobs: readonly Job[],
  requests: readonly RecordedRequest[],
  ledger: readonly LedgerLine[],
): Verdict {
  const claims = examineClaims(requests);
  const runs = examineLedger(ledger);
  const ended = jobs.filter((job) => TERMINAL.has(job.status));
  return {
    jobs: jobs.length,
    completed: jobs.filter((job) => job.status === 'completed').length,
    failed: ended.filter((job) => job.status !== 'completed').map((job) => job.id),
    lost: jobs.filter((job) => !TERMINAL.has(job.status)).map((job) => job.id),
    duplicateBookings: runs.duplicateBookings,
    unjustifiedReruns: runs.unjustifiedReruns,
    resentClaims: claims.resentAfterApplied.map(({ jobId, auth }) => ({ jobId, auth })),
    neverProcessed: jobs
      .filter((job) => job.status === 'completed' && claims.claimedBy.has(job.id)
        && !runs.runsPerJob.has(job.id))
      .map((job) => job.id),
    rerunsAfterInterruption: runs.rerunsAfterInterruption,
    startedSent: claims.startedSent,
    conflicts: claims.conflicts,
    claimedOutOfOrder: outOfOrder(jobs, [...claims.claimedBy.keys()]),
    claimedBy: claims.claimedBy,
    processedBy: runs.lastRunner,
    runsPerJob: runs.runsPerJob,
    startedPerJob: claims.startedPerJob,
    statuses: new Map(jobs.map((job) => [job.id, job.status])),
  };
}

/** True when nothing was lost and nothing was exported or claimed twice. */
export function isClean(verdict: Verdict): boolean {
  return verdict.lost.length === 0
    && verdict.duplicateBookings.length === 0
    && verdict.unjustifiedReruns.length === 0
    && verdict.resentClaims.length === 0
    && verdict.neverProcessed.length === 0;
}

/**
 * Jobs whose winning claim came while an older job of the same company was
 * still unclaimed. `claimOrder` lists job ids in the order their claims won.
 */
export function outOfOrder(jobs: readonly Job[], claimOrder: readonly string[]): string[] {
  const byId = new Map(jobs.map((job) => [job.id, job]));
  const unclaimed = new Set(claimOrder);
  const late: string[] = [];
  for (const id of claimOrder) {
    const job = byId.get(id);
    unclaimed.delete(id);
    if (!job) continue;
    const older = [...unclaimed].some((other) => {
      const candidate = byId.get(other);
      return candidate?.companyId === job.companyId && isOlder(candidate, job);
    });
    if (older) late.push(id);
  }
  return late;
}

function isOlder(a: Job, b: Job): boolean {
  const left = parseInstant(a.createdAt);
  const right = parseInstant(b.createdAt);
  if (!left || !right) return false;
  return compareInstants(left, right) < 0 || (compareInstants(left, right) === 0 && a.id < b.id);
}
