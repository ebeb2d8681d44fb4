/**
 * Rule 6, the other side: a worker restarts holding a job that Pleo no
 * longer shows in progress (finished by someone else, expired, deleted).
 * The hold is dropped with a log line, nothing is sent for that job, and the
 * worker goes on with the rest.
 */
import { describe, expect, it } from 'vitest';
import { expectCleanDrain } from './support/expectations.js';
import { COMPANY_A, COMPANY_B, useScene, verdictOf, writeState } from './support/scene.js';

// Jobs expire here, as at Pleo, so one case can let a held job run out of time.
const scene = useScene({ expireJobs: true });

function heldJobIn(state: 'completed' | 'expired' | 'gone'): string {
  const { emulator } = scene();
  if (state === 'gone') return '5d1c0000-0000-4000-8000-00000000dead';
  if (state === 'completed') return emulator.createJob({ status: 'completed' }).id;
  const job = emulator.createJob({ companyId: COMPANY_A, status: 'in_progress', expiresIn: 60 });
  emulator.advanceClock(120_000);
  return job.id;
}

describe('a worker restarting with a held job that is no longer in progress', () => {
  it.each(['completed', 'expired', 'gone'] as const)(
    'drops it (%s) with a log line and drains the rest',
    async (state) => {
      const { emulator, fleet } = scene();
      const held = heldJobIn(state);
      if (state === 'expired') {
        expect(emulator.getJob(held)).toMatchObject({
          status: 'failed',
          failureReasonType: 'job_expired',
        });
      }
      const jobs = [COMPANY_A, COMPANY_B].map((companyId) => emulator.createJob({ companyId }));
      await writeState(scene(), 'w1', {
        heldJob: { id: held, createdAt: new Date().toISOString(), since: Date.now() - 60_000 },
      });

      const worker = await fleet.start('w1', { args: ['--once'] });
      expect((await worker.exited).code, worker.tail()).toBe(0);
      const released = worker.lines.find((line) => line.jobId === held
        && line.msg === 'held job is no longer in progress; released');
      expect(released, worker.tail()).toBeDefined();
      expect(emulator.requests({ route: 'jobEvents', jobId: held })).toEqual([]);
      expectCleanDrain(await verdictOf(scene()), jobs);
    },
  );
});
