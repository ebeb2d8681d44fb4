/**
 * A listing in which one record breaks the schema (no status, no id, a bad
 * date) is skipped with a warning; that is right for a job nobody knows. It
 * must not make the orchestrator forget what it knows about that job: a
 * claim it may have won, or a lane another worker holds.
 */
import { describe, expect, it } from 'vitest';
import { startInProcess } from './support/in-process.js';
import { COMPANY_A, useScene } from './support/scene.js';

const scene = useScene();

describe('a job whose record is unreadable in one listing', () => {
  it('stays a reported unknown claim, and a sole worker still resumes it', async () => {
    const { emulator } = scene();
    const job = emulator.createJob({ companyId: COMPANY_A });
    // The `started` is applied and its answer lost; the very listing made to
    // learn the claim's fate then shows the job without a status.
    emulator.setFaults([{ kind: 'resetAfterApply', route: 'jobEvents', times: 1 }]);
    const run = await startInProcess(emulator, { soleWorker: true });
    const unreadable = { kind: 'brokenRecord', mode: 'missingStatus', route: 'listJobs' } as const;
    run.orchestrator.subscribe((event) => {
      if (event.type === 'claim:unknown') emulator.addFault({ ...unreadable, times: 1 });
    });
    try {
      await run.drain();
      expect(emulator.getJob(job.id)?.status).toBe('completed');
      expect(run.runs).toEqual([job.id]);
    } finally {
      await run.orchestrator.stop(500);
    }
  });

  it('still holds the company lane with --exclusive while another worker runs it', async () => {
    const { emulator } = scene();
    const foreign = emulator.createJob({ companyId: COMPANY_A, createdAt: '2026-11-30T09:00:00Z' });
    const next = emulator.createJob({ companyId: COMPANY_A, createdAt: '2026-11-30T09:05:00Z' });
    emulator.applyJobEvent({ event: 'started', jobId: foreign.id });
    emulator.setFaults([
      { kind: 'brokenRecord', mode: 'missingStatus', route: 'listJobs', index: 0, times: 1 },
    ]);
    const run = await startInProcess(emulator, { exclusive: true, companyId: COMPANY_A });
    try {
      await run.drain();
      expect(emulator.getJob(next.id)?.status).toBe('pending');
      expect(run.runs).toEqual([]);
    } finally {
      await run.orchestrator.stop(500);
    }
  });
});
