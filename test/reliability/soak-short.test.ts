/**
 * A few seconds of `npm run soak`, same engine: three workers, random faults
 * on every route, a crash every second or so, then a drain. Nothing may be
 * lost, nothing exported twice.
 *
 * Left out here: hangs, each of which costs a worker its 10 s request
 * deadline (the long soak keeps them).
 */
import { describe, expect, it } from 'vitest';
import { runSoak } from '../soak/engine.js';

describe('a short soak of faults and crashes', () => {
  it('loses no job and exports none twice', async () => {
    const report = await runSoak({
      seed: 424_242,
      durationMs: 6_000,
      workers: 3,
      jobs: 30,
      crashEveryMs: { min: 500, max: 1_100 },
      faults: { hangs: false },
      processingMs: 60,
    });
    const { verdict } = report;

    // It did shake things: workers died and the network misbehaved.
    expect(report.crashes).toBeGreaterThanOrEqual(4);
    expect(report.faultsInjected).toBeGreaterThan(10);
    expect(verdict.jobs).toBe(30);

    expect(verdict.lost).toEqual([]);
    expect(verdict.duplicateBookings).toEqual([]);
    expect(verdict.unjustifiedReruns).toEqual([]);
    expect(verdict.resentClaims).toEqual([]);
    expect(verdict.neverProcessed).toEqual([]);
    expect(report.ok).toBe(true);
  }, 60_000);
});
