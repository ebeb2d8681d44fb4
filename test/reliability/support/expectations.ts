/**
 * The invariants every crash scenario must end with, written once.
 */
import { expect } from 'vitest';
import type { Job } from '../../../src/emulator/index.js';
import type { Verdict } from '../../soak/verdict.js';

/**
 * Every job completed, each claimed by exactly one `started`, none refused,
 * nothing booked twice, claims oldest first, and only `interrupted` jobs
 * (whose processing a crash cut short) run their processor a second time.
 */
export function expectCleanDrain(
  verdict: Verdict,
  jobs: readonly Job[],
  interrupted: readonly string[] = [],
) {
  const statuses = jobs.map((job) => verdict.statuses.get(job.id));
  expect(statuses, 'final statuses').toEqual(jobs.map(() => 'completed'));
  for (const job of jobs) {
    expect(verdict.startedPerJob.get(job.id), `started events for ${job.id}`).toBe(1);
    const runs = verdict.runsPerJob.get(job.id) ?? 0;
    const allowed = interrupted.includes(job.id) ? 2 : 1;
    expect(runs, `processor runs for ${job.id}`).toBeGreaterThanOrEqual(1);
    expect(runs, `processor runs for ${job.id}`).toBeLessThanOrEqual(allowed);
  }
  expect(verdict.conflicts, 'started answered with a conflict').toBe(0);
  expect(verdict.duplicateBookings).toEqual([]);
  expect(verdict.unjustifiedReruns).toEqual([]);
  expect(verdict.resentClaims).toEqual([]);
  expect(verdict.neverProcessed).toEqual([]);
  expect(verdict.claimedOutOfOrder, 'claims that skipped an older job').toEqual([]);
}
