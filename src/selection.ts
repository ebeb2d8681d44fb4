/**
 * Selection: from one detection's jobs, decide what this orchestrator does
 * next. Pure and synchronous, so the machine can call it and tests can throw
 * any list of jobs at it.
 */
import { compareInstants, parseInstant, type Instant } from './pleo/instant.js';
import type { ExportJob } from './pleo/schemas.js';

export interface SelectionInput {
  /** Valid job records from one detection, in whatever order the server sent them. */
  jobs: readonly ExportJob[];
  /** The company this orchestrator serves; jobs of other companies are ignored. */
  companyId?: string | undefined;
  /** The job this orchestrator holds (persisted after a successful claim). */
  heldJobId?: string | null | undefined;
  /** Jobs whose `started` had an unknown outcome (timeout, reset after sending). */
  unknownClaimIds?: readonly string[];
  /** Jobs not to claim until the given epoch millisecond (lost a claim race). */
  excludedUntil?: Readonly<Record<string, number>>;
  /** Wait while another worker holds an `in_progress` job of the company. */
  exclusive?: boolean;
  /** This orchestrator is the company's only worker: an unknown claim is ours. */
  soleWorker?: boolean;
  /**
   * Records the listing could not read that may be a job in progress. With
   * `exclusive` they might be another worker's: claim nothing until readable.
   */
  unreadable?: number;
  now: number;
}

export type Selection =
  /** Our held job is still `in_progress`: resume it without a new `started`. */
  | { kind: 'resume'; job: ExportJob; adopted: boolean }
  /** The oldest claimable `pending` job. */
  | { kind: 'claim'; job: ExportJob }
  /**
   * `exclusive` and another worker's job is `in_progress` (or a record that
   * could be one is unreadable): claim nothing now.
   */
  | { kind: 'wait'; foreignJob: ExportJob | undefined }
  | { kind: 'none' };

export interface SelectionResult {
  selection: Selection;
  /** Held job absent or no longer `in_progress`: the hold is released. */
  releasedHeldJob: boolean;
  /** Unknown claims that are `in_progress` and not ours to take: report them. */
  unknownInProgress: ExportJob[];
  /** Unknown claims that resolved (pending again, or gone): forget them. */
  resolvedUnknownIds: string[];
}

interface Ranked {
  job: ExportJob;
  createdAt: Instant;
}

/**
 * Oldest first by `createdAt` as an instant, ties by `id`. The server's own
 * order and status filter are not trusted: both are applied again here.
 */
export function selectJob(input: SelectionInput): SelectionResult {
  const mine = input.jobs.filter(
    (job) => input.companyId === undefined || job.companyId === undefined
      || job.companyId === input.companyId,
  );
  const byId = new Map(mine.map((job) => [job.id, job]));
  const unknownIds = new Set(input.unknownClaimIds ?? []);

  const result: SelectionResult = {
    selection: { kind: 'none' },
    releasedHeldJob: false,
    unknownInProgress: [],
    resolvedUnknownIds: [],
  };

  if (input.heldJobId) {
    const held = byId.get(input.heldJobId);
    if (held?.status === 'in_progress') {
      result.selection = { kind: 'resume', job: held, adopted: false };
      return result;
    }
    result.releasedHeldJob = true;
  }

  for (const id of unknownIds) {
    const job = byId.get(id);
    if (job?.status === 'in_progress') {
      if (input.soleWorker) {
        result.selection = { kind: 'resume', job, adopted: true };
        result.resolvedUnknownIds.push(id);
        return result;
      }
      result.unknownInProgress.push(job);
    } else {
      result.resolvedUnknownIds.push(id);
    }
  }

  const foreign = mine.find((job) => job.status === 'in_progress');
  if (input.exclusive && (foreign || (input.unreadable ?? 0) > 0)) {
    result.selection = { kind: 'wait', foreignJob: foreign };
    return result;
  }

  const oldest = oldestClaimable(mine, input.excludedUntil ?? {}, input.now);
  if (oldest) result.selection = { kind: 'claim', job: oldest };
  return result;
}

/**
 * Parsed `createdAt` per job record. A drain selects from the same listing
 * again after every job; parsing each timestamp once keeps that linear.
 */
const instants = new WeakMap<ExportJob, Instant | null>();

function instantOf(job: ExportJob): Instant | undefined {
  let instant = instants.get(job);
  if (instant === undefined) {
    instant = parseInstant(job.createdAt) ?? null;
    instants.set(job, instant);
  }
  return instant ?? undefined;
}

function oldestClaimable(
  jobs: readonly ExportJob[],
  excludedUntil: Readonly<Record<string, number>>,
  now: number,
): ExportJob | undefined {
  let best: Ranked | undefined;
  for (const job of jobs) {
    if (job.status !== 'pending') continue;
    const until = excludedUntil[job.id];
    if (until !== undefined && until > now) continue;
    const createdAt = instantOf(job);
    if (!createdAt) continue;
    const candidate = { job, createdAt };
    if (!best || compareRanked(candidate, best) < 0) best = candidate;
  }
  return best?.job;
}

function compareRanked(a: Ranked, b: Ranked): number {
  const byTime = compareInstants(a.createdAt, b.createdAt);
  if (byTime !== 0) return byTime;
  return a.job.id < b.job.id ? -1 : a.job.id > b.job.id ? 1 : 0;
}

/** Sorts jobs oldest first with the same order selection uses. */
export function sortOldestFirst(jobs: readonly ExportJob[]): ExportJob[] {
  return jobs
    .map((job) => ({ job, createdAt: instantOf(job) }))
    .filter((r): r is Ranked => r.createdAt !== undefined)
    .sort(compareRanked)
    .map((r) => r.job);
}
