/**
 * The jobs the model's world is made of. Their `createdAt` strings mix
 * offsets and fractions so that text order, server order and instant order
 * all differ: only a selection that parses instants (and breaks ties by id)
 * picks the job the rules say.
 */
import type { ExportJob } from '../../src/pleo/schemas.js';

export const COMPANY_ID = '6f1c2a7e-3b0d-4e55-9a1f-2d8c4b7e9a10';

/** 09:00Z written with a +01:00 offset: the oldest, and first by id among its tie. */
export const OLDEST = {
  id: '1aaaaaaa-0000-4000-8000-000000000001',
  createdAt: '2026-11-30T10:00:00+01:00',
} as const;
/** 09:00Z written with a -01:00 offset: ties with OLDEST, loses on id. */
export const TIED = {
  id: '2bbbbbbb-0000-4000-8000-000000000002',
  createdAt: '2026-11-30T08:00:00-01:00',
} as const;
/** 09:30:00.25Z: newest, yet first as text. */
export const NEWEST = {
  id: '0ccccccc-0000-4000-8000-000000000003',
  createdAt: '2026-11-30T09:30:00.25Z',
} as const;
/** Another worker's job, already `in_progress`. */
export const FOREIGN = {
  id: '9fffffff-0000-4000-8000-000000000009',
  createdAt: '2026-11-30T07:00:00Z',
} as const;

/** The pending jobs as the server lists them: newest first, nothing sorted. */
export const PENDING_IN_SERVER_ORDER = [NEWEST, TIED, OLDEST] as const;

/** Oldest first by instant, then id: what every selection must follow. */
export const PENDING_BY_AGE = [OLDEST, TIED, NEWEST] as const;

export interface JobSeed {
  id: string;
  createdAt: string;
  status: 'pending' | 'in_progress';
}

export function toExportJob(seed: JobSeed): ExportJob {
  return { ...seed, companyId: COMPANY_ID };
}

/** The oldest pending job that is not excluded, or undefined. */
export function oldestEligible(
  seeds: readonly JobSeed[],
  excluded: ReadonlySet<string>,
): string | undefined {
  const pending = new Set(seeds.filter((s) => s.status === 'pending').map((s) => s.id));
  return PENDING_BY_AGE.find((job) => pending.has(job.id) && !excluded.has(job.id))?.id;
}

const pending = (): JobSeed[] =>
  PENDING_IN_SERVER_ORDER.map((job) => ({ ...job, status: 'pending' as const }));

const inProgress = (ids: readonly string[]) => (seed: JobSeed): JobSeed =>
  ids.includes(seed.id) ? { ...seed, status: 'in_progress' } : seed;

/** The jobs a detection finds, by the detection's move (`detect:pending`, …). */
export function seedsFor(
  move: string,
  heldJobId: string | null,
  unknownClaimIds: readonly string[],
): JobSeed[] {
  switch (move) {
    case 'detect:pending':
      return pending();
    case 'detect:held': {
      const id = heldJobId ?? '';
      const listed = pending().map(inProgress([id]));
      return listed.some((s) => s.id === id)
        ? listed
        : [...listed, { id, createdAt: FOREIGN.createdAt, status: 'in_progress' }];
    }
    case 'detect:foreign':
      return [{ ...FOREIGN, status: 'in_progress' }, ...pending()];
    case 'detect:unknown-in-progress':
      return pending().map(inProgress(unknownClaimIds));
    default:
      return [];
  }
}
