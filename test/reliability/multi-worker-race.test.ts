/**
 * Four `pleo-export run` processes race for 200 jobs of three companies on
 * one emulator, through a seeded mix of latency and faults on every route.
 * Each job is claimed by one worker, processed by that worker once, and ends
 * completed; with `--exclusive` no company ever has two jobs in progress.
 *
 * Without `--exclusive` every worker serves the whole organisation. With it,
 * each worker serves one company (`--company-id`), two of them the same one:
 * without a company, `--exclusive` makes one lane of the whole organisation.
 */
import { describe, expect, it } from 'vitest';
import { laneOverlaps, RequestRecorder } from '../soak/claims.js';
import { readLedger } from '../soak/ledger.js';
import { SeededRandom } from '../soak/random.js';
import { judge } from '../soak/verdict.js';
import { COMPANIES, createJobs, faultMix } from '../soak/workload.js';
import { openScene, until, type Scene } from './support/scene.js';

const SEED = 20_261_130;

const everything = (): string[] => [];
const oneCompanyEach = (index: number) => ['--exclusive', '--company-id', COMPANIES[index % 3]!];

// The two fleets run side by side, each on its own emulator, to keep the suite short.
describe.concurrent.each([
  ['without --exclusive', everything],
  ['with --exclusive', oneCompanyEach],
] as const)('four worker processes %s', (name, flagsOf) => {
  it('process each of 200 jobs exactly once, each by the worker whose claim won', async () => {
    const scene = await openScene({ seed: SEED });
    try {
      await race(scene, name, flagsOf);
    } finally {
      await scene.close();
    }
  }, 60_000);
});

async function race(
  { emulator, fleet }: Scene,
  name: string,
  flagsOf: (index: number) => string[],
): Promise<void> {
  const jobs = createJobs(emulator, new SeededRandom(SEED), 200);
  // A third of the soak's fault rates: each retry backoff of a worker is a
  // second or so, and the suite must stay quick. With --exclusive, no
  // unreadable records: one that hides a foreign job in progress breaks the
  // lane (a known bug, shown by unreadable-records.test.ts).
  const exclusive = name === 'with --exclusive';
  emulator.setFaults(faultMix({ intensity: 0.3, maxLatencyMs: 3, brokenRecords: !exclusive }));
  const recorder = new RequestRecorder(emulator, { route: 'jobEvents' }).start();
  const labels = ['w1', 'w2', 'w3', 'w4'];
  const workers = await Promise.all(labels.map((label, index) =>
    fleet.start(label, { args: flagsOf(index), logLevel: 'warn', maxLines: 2_000 })));

  try {
    const finished = () => emulator.jobs()
      .every((job) => job.status !== 'pending' && job.status !== 'in_progress');
    await until(finished, 45_000, 'every job finished');
  } finally {
    recorder.stop();
    await fleet.killAll();
  }

  const requests = recorder.all();
  const verdict = judge(emulator.jobs(), requests, await readLedger(fleet.ledgerFile));
  expect(verdict.completed, workers.map((w) => w.tail(5)).join('\n')).toBe(jobs.length);
  expect(verdict.duplicateBookings).toEqual([]);
  expect(verdict.unjustifiedReruns).toEqual([]);
  expect(verdict.resentClaims).toEqual([]);
  expect([...verdict.runsPerJob.values()].every((runs) => runs === 1)).toBe(true);
  expect(verdict.runsPerJob.size).toBe(jobs.length);
  for (const job of jobs) {
    const winner = verdict.claimedBy.get(job.id);
    expect(winner, `who claimed ${job.id}`).toBe(fleet.authOf(verdict.processedBy.get(job.id)!));
  }
  // The race was real: claims were won by several workers, and lost too.
  expect(new Set(verdict.claimedBy.values()).size).toBeGreaterThanOrEqual(3);
  if (name === 'without --exclusive') expect(verdict.conflicts).toBeGreaterThan(0);
  const injected = emulator.requests().filter((r) => r.faults.some((k) => k !== 'latency'));
  expect(new Set(injected.map((r) => r.route)).size).toBeGreaterThanOrEqual(4);

  if (exclusive) {
    const companyOf = new Map(jobs.map((job) => [job.id, job.companyId]));
    expect(laneOverlaps(requests, companyOf)).toEqual([]);
  }
}
