/**
 * Properties of selection (rules 2, 3 and 6) over any list of jobs: random
 * statuses, companies, exclusions, ids, and timestamps written with mixed
 * offsets and fraction lengths.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ExportJob } from '../../src/pleo/schemas.js';
import { selectJob } from '../../src/selection.js';
import { instantArb, type GeneratedInstant } from './instants.js';

const NOW = Date.UTC(2026, 11, 1);
const MINE = 'c1';
const STATUSES = [
  'pending', 'in_progress', 'completed', 'failed', 'completed_with_errors', 'archived',
] as const;

interface Case {
  job: ExportJob;
  instant: GeneratedInstant;
  /** Lost a claim race: excluded until this epoch ms (in the past: no longer). */
  excludedUntil: number | undefined;
}

const caseArb: fc.Arbitrary<Case> = fc
  .record({
    id: fc.stringMatching(/^[a-c0-9-]{1,4}$/),
    status: fc.constantFrom(...STATUSES),
    companyId: fc.constantFrom(MINE, 'c2', undefined),
    instant: instantArb,
    excludedUntil: fc.option(fc.constantFrom(NOW - 1, NOW, NOW + 60_000), { nil: undefined }),
  })
  .map(({ id, status, companyId, instant, excludedUntil }) => ({
    job: { id, status, createdAt: instant.text, ...(companyId ? { companyId } : {}) },
    instant,
    excludedUntil,
  }));

const casesArb = fc.uniqueArray(caseArb, { selector: (c) => c.job.id, maxLength: 12 });

const isMine = (c: Case) => c.job.companyId === undefined || c.job.companyId === MINE;
const isExcluded = (c: Case) => c.excludedUntil !== undefined && c.excludedUntil > NOW;

/** Oldest by true instant, then by id in code-unit order: computed without parsing text. */
function oldestEligible(cases: readonly Case[]): Case | undefined {
  const eligible = cases.filter((c) => c.job.status === 'pending' && isMine(c) && !isExcluded(c));
  return eligible.reduce<Case | undefined>((best, c) => {
    if (!best) return c;
    const [a, b] = [c.instant.nanos, best.instant.nanos];
    if (a !== b) return a < b ? c : best;
    return c.job.id < best.job.id ? c : best;
  }, undefined);
}

function select(cases: readonly Case[], extra: { exclusive?: boolean; heldJobId?: string } = {}) {
  const excludedUntil = Object.fromEntries(
    cases.flatMap((c) => (c.excludedUntil === undefined ? [] : [[c.job.id, c.excludedUntil]])),
  );
  return selectJob({
    jobs: cases.map((c) => c.job),
    companyId: MINE,
    excludedUntil,
    now: NOW,
    ...extra,
  });
}

describe('selection, for any list of jobs', () => {
  it('claims the oldest pending job of the company by instant, then id, or none', () => {
    fc.assert(
      fc.property(casesArb, (cases) => {
        const expected = oldestEligible(cases);
        const { selection } = select(cases);
        if (!expected) {
          expect(selection.kind).toBe('none');
          return;
        }
        expect(selection).toEqual({ kind: 'claim', job: expected.job });
      }),
      { numRuns: 400 },
    );
  });

  it('never picks a terminal, foreign-company, in-progress or excluded job', () => {
    fc.assert(
      fc.property(casesArb, fc.boolean(), (cases, exclusive) => {
        const { selection } = select(cases, { exclusive });
        if (selection.kind !== 'claim') return;
        const chosen = cases.find((c) => c.job === selection.job);
        expect(chosen?.job.status).toBe('pending');
        expect(chosen && isMine(chosen) && !isExcluded(chosen)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('with exclusive, waits and claims nothing while a job of the company is in progress', () => {
    fc.assert(
      fc.property(casesArb, (cases) => {
        const busy = cases.some((c) => c.job.status === 'in_progress' && isMine(c));
        const { selection } = select(cases, { exclusive: true });
        if (busy) expect(selection.kind).toBe('wait');
        else expect(selection.kind).not.toBe('wait');
      }),
      { numRuns: 300 },
    );
  });

  it('resumes the held job while it is in progress and claims nothing else', () => {
    fc.assert(
      fc.property(casesArb, fc.nat(), (cases, pick) => {
        fc.pre(cases.length > 0);
        const held = cases[pick % cases.length]!;
        const result = select(cases, { heldJobId: held.job.id });
        const stillOurs = held.job.status === 'in_progress' && isMine(held);
        if (stillOurs) {
          expect(result.selection).toEqual({ kind: 'resume', job: held.job, adopted: false });
        } else {
          expect(result.releasedHeldJob).toBe(true);
          expect(result.selection.kind).not.toBe('resume');
        }
      }),
      { numRuns: 300 },
    );
  });
});
