/**
 * What the harness throws at the workers: jobs in three companies, and a
 * seeded mix of faults over every route. The emulator rolls the fault dice
 * from its own seed, so a seed replays the same faults for the same requests.
 */
import type { Emulator, FaultSpec, Job } from '../../src/emulator/index.js';
import type { SeededRandom } from './random.js';

export const COMPANIES = [
  '0a0a0a0a-1111-4111-8111-000000000001',
  '0b0b0b0b-2222-4222-8222-000000000002',
  '0c0c0c0c-3333-4333-8333-000000000003',
] as const;

const OFFSETS = ['Z', '+01:00', '-05:00', '+05:30'];

/** `createdAt` at `epochMs`, written with one of several offsets (text order ≠ time order). */
function isoWithOffset(epochMs: number, offset: string): string {
  if (offset === 'Z') return new Date(epochMs).toISOString();
  const sign = offset.startsWith('-') ? -1 : 1;
  const [hours, minutes] = offset.slice(1).split(':').map(Number);
  const shifted = new Date(epochMs + sign * ((hours! * 60 + minutes!) * 60_000));
  return shifted.toISOString().replace('Z', offset);
}

/**
 * Creates `count` jobs spread over the companies, with 1–3 items each,
 * `createdAt` up to `backdateMs` in the past.
 */
export function createJobs(
  emulator: Emulator,
  random: SeededRandom,
  count: number,
  backdateMs = 3_600_000,
): Job[] {
  const jobs: Job[] = [];
  const now = emulator.now().getTime();
  for (let i = 0; i < count; i += 1) {
    const createdAt = isoWithOffset(now - random.int(0, backdateMs), random.pick(OFFSETS));
    jobs.push(emulator.createJob({
      companyId: random.pick(COMPANIES),
      createdAt,
      numberOfItems: random.int(1, 3),
    }));
  }
  return jobs;
}

export interface FaultMix {
  /** Multiplies every probability (1 = the default mix). */
  intensity?: number;
  /** Faults after which a `started` may or may not have been applied. */
  afterApply?: boolean;
  /** Answers that never come; each costs a worker its request deadline (10 s). */
  hangs?: boolean;
  /** Upper bound of the random latency on every request (default 12 ms). */
  maxLatencyMs?: number;
  /** Listings with a record that breaks the schema (default true). */
  brokenRecords?: boolean;
}

/**
 * The faults of a noisy network and a flaky API on every route the workers
 * use. Only probabilities: nothing fires on a schedule.
 */
export function faultMix(mix: FaultMix = {}): FaultSpec[] {
  const k = mix.intensity ?? 1;
  const p = (value: number) => Math.min(1, value * k);
  const broken: FaultSpec = {
    kind: 'brokenRecord', mode: 'missingStatus', route: 'listJobs', probability: p(0.02),
  };
  const faults: FaultSpec[] = [
    { kind: 'latency', ms: { min: 0, max: mix.maxLatencyMs ?? 12 } },
    { kind: 'status', status: 503, route: 'listJobs', probability: p(0.04) },
    { kind: 'rateLimit', route: 'listJobs', probability: p(0.02) },
    { kind: 'rateLimit', retryAfter: 0, route: 'listJobs', probability: p(0.02) },
    { kind: 'reset', route: 'listJobs', probability: p(0.02) },
    { kind: 'notJson', route: 'listJobs', probability: p(0.01) },
    ...(mix.brokenRecords === false ? [] : [broken]),
    { kind: 'ignoreSorting', route: 'listJobs', probability: p(0.2) },
    { kind: 'ignoreStatusFilter', route: 'listJobs', probability: p(0.1) },
    { kind: 'status', status: 503, route: 'getJob', probability: p(0.05) },
    { kind: 'status', status: 503, route: 'jobEvents', probability: p(0.03) },
    { kind: 'status', status: 502, body: '', route: 'jobEvents', probability: p(0.02) },
    { kind: 'reset', route: 'jobEvents', probability: p(0.03) },
    { kind: 'rateLimit', retryAfter: 0, route: 'jobEvents', probability: p(0.02) },
  ];
  for (const route of ['getItems', 'exportItems', 'putItems'] as const) {
    faults.push(
      { kind: 'status', status: 502, route, probability: p(0.04) },
      { kind: 'reset', route, probability: p(0.03) },
      { kind: 'rateLimit', retryAfter: 0, route, probability: p(0.02) },
    );
  }
  if (mix.afterApply) {
    faults.push(
      { kind: 'resetAfterApply', route: 'jobEvents', probability: p(0.02) },
      { kind: 'latency', ms: 15_000, phase: 'after', route: 'jobEvents', probability: p(0.002) },
    );
  }
  if (mix.hangs) {
    faults.push(
      { kind: 'hang', send: 'headers', route: 'listJobs', probability: p(0.002) },
      { kind: 'hangAfterApply', route: 'jobEvents', probability: p(0.003) },
      { kind: 'hang', send: 'partialBody', route: 'exportItems', probability: p(0.003) },
    );
  }
  return faults;
}
