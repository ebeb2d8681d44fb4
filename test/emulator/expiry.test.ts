import { describe, expect, it } from 'vitest';
import { INVALID_STATUS_CHANGE } from '../../src/pleo/schemas.js';
import { bodyOf, call, jobPage, postEvent, start } from './harness.js';

const CREATED = '2026-11-30T09:14:05Z';
const at = (iso: string) => () => Date.parse(iso);

describe('job expiry', () => {
  it('fails a pending job with job_expired once expiresIn seconds have passed', async () => {
    const emulator = await start({ now: at('2026-11-30T09:20:00Z') });
    const job = emulator.createJob({ createdAt: CREATED, expiresIn: 3600 });
    expect(emulator.getJob(job.id)?.status).toBe('pending');

    emulator.advanceClock(55 * 60_000);
    const reply = await call(emulator, 'GET', `/v3/export-jobs/${job.id}`);
    expect(bodyOf<{ data: unknown }>(reply).data).toMatchObject({
      status: 'failed',
      failureReasonType: 'job_expired',
      expiredAt: '2026-11-30T10:14:05.000Z',
    });
  });

  it('stays pending one millisecond before it expires', async () => {
    const emulator = await start({ now: at('2026-11-30T10:14:04.999Z') });
    const job = emulator.createJob({ createdAt: CREATED, expiresIn: 3600 });
    expect(emulator.getJob(job.id)?.status).toBe('pending');
    emulator.advanceClock(1);
    expect(emulator.getJob(job.id)?.status).toBe('failed');
  });

  it('expires an in_progress job too, and then refuses its completion', async () => {
    const emulator = await start({ now: at('2026-11-30T09:20:00Z') });
    const job = emulator.createJob({ createdAt: CREATED, expiresIn: 600 });
    expect((await postEvent(emulator, 'started', job.id)).status).toBe(200);

    emulator.advanceClock(10 * 60_000);
    const reply = await postEvent(emulator, 'completed', job.id);
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ type: INVALID_STATUS_CHANGE });
    expect(emulator.getJob(job.id)?.failureReasonType).toBe('job_expired');
  });

  it('leaves a completed job alone', async () => {
    const emulator = await start({ now: at('2026-11-30T09:20:00Z') });
    const job = emulator.createJob({ createdAt: CREATED, status: 'completed', expiresIn: 60 });
    emulator.advanceClock(24 * 60 * 60_000);
    expect(emulator.getJob(job.id)?.status).toBe('completed');
  });

  it('drops expired jobs from a pending listing', async () => {
    const emulator = await start({ now: at('2026-11-30T09:20:00Z') });
    emulator.createJob({ createdAt: CREATED, expiresIn: 600 });
    const young = emulator.createJob({ createdAt: '2026-11-30T09:19:00Z', expiresIn: 3600 });
    emulator.advanceClock(5 * 60_000);

    const page = await jobPage(emulator, '?statuses=pending');
    expect(page.data.map((job) => job.id)).toEqual([young.id]);
  });

  it('keeps every job alive with expireJobs: false', async () => {
    const emulator = await start({ now: at('2026-12-31T00:00:00Z'), expireJobs: false });
    const job = emulator.createJob({ createdAt: CREATED });
    expect(emulator.getJob(job.id)?.status).toBe('pending');
  });

  it('reads its clock from the now option and drops advances on reset', async () => {
    const emulator = await start({ now: () => new Date('2026-11-30T09:00:00Z') });
    expect(emulator.advanceClock(90_000).toISOString()).toBe('2026-11-30T09:01:30.000Z');
    emulator.reset();
    expect(emulator.now().toISOString()).toBe('2026-11-30T09:00:00.000Z');
    expect(() => emulator.advanceClock(-1)).toThrow(RangeError);
  });
});
