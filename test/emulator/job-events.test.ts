import { describe, expect, it } from 'vitest';
import {
  INVALID_STATUS_CHANGE,
  JOB_EVENTS,
  JOB_STATUSES,
  type JobEvent,
  type KnownJobStatus,
} from '../../src/pleo/schemas.js';
import { EVENT_ACCEPTED_MESSAGE, type ConflictStatus } from '../../src/emulator/index.js';
import { postEvent, start } from './harness.js';

/** The only legal changes; every other status and event pair is refused. */
const LEGAL: Partial<Record<KnownJobStatus, Partial<Record<JobEvent, KnownJobStatus>>>> = {
  pending: { started: 'in_progress' },
  in_progress: {
    completed: 'completed',
    completed_with_errors: 'completed_with_errors',
    failed: 'failed',
  },
};

const TABLE = JOB_STATUSES.flatMap((status) =>
  JOB_EVENTS.map((event) => ({ status, event, next: LEGAL[status]?.[event] })),
);

describe.each([
  { option: undefined, expected: 400 },
  { option: 409 as ConflictStatus, expected: 409 },
  { option: 422 as ConflictStatus, expected: 422 },
])('job events with conflictStatus $option', ({ option, expected }) => {
  it.each(TABLE)('$event on a $status job answers by the status table', async (row) => {
    const emulator = await start(option === undefined ? {} : { conflictStatus: option });
    const job = emulator.createJob({ status: row.status });
    const reply = await postEvent(emulator, row.event, job.id);

    if (row.next) {
      expect(reply.status).toBe(200);
      expect(reply.json).toEqual({ message: EVENT_ACCEPTED_MESSAGE });
      expect(emulator.getJob(job.id)?.status).toBe(row.next);
    } else {
      expect(reply.status).toBe(expected);
      expect(reply.json).toMatchObject({
        type: INVALID_STATUS_CHANGE,
        message: expect.any(String),
      });
      expect(emulator.getJob(job.id)?.status).toBe(row.status);
    }
  });
});

describe('POST /v3/export-job-events', () => {
  it('started moves a pending job to in_progress, stamped by the clock', async () => {
    const emulator = await start({ now: () => Date.parse('2026-11-30T09:20:00Z') });
    const job = emulator.createJob({ createdAt: '2026-11-30T09:14:05Z' });
    await postEvent(emulator, 'started', job.id);

    expect(emulator.getJob(job.id)).toMatchObject({
      status: 'in_progress',
      startedAt: '2026-11-30T09:20:00.000Z',
      lastUpdatedAt: '2026-11-30T09:20:00.000Z',
    });
  });

  it('failed ends an in_progress job with its reason and reason type', async () => {
    const emulator = await start();
    const job = emulator.createJob({ status: 'in_progress' });
    const reply = await postEvent(emulator, 'failed', job.id, {
      failureReason: 'The accounting system rejected the credentials.',
      failureReasonType: 'accounting_system_authentication_failure',
    });

    expect(reply.status).toBe(200);
    expect(emulator.getJob(job.id)).toMatchObject({
      status: 'failed',
      completedAt: expect.any(String),
      failureReason: 'The accounting system rejected the credentials.',
      failureReasonType: 'accounting_system_authentication_failure',
    });
  });

  it('answers 404 with a JSON body for an unknown job', async () => {
    const emulator = await start();
    const reply = await postEvent(emulator, 'started', '0b7e4f8a-5c21-4d3e-8f90-1a2b3c4d5e6f');
    expect(reply.status).toBe(404);
    expect(reply.json).toMatchObject({ type: 'EXPORT_JOB_NOT_FOUND' });
  });

  it('lets exactly one of 20 concurrent started events win', async () => {
    const emulator = await start({ faults: [{ kind: 'latency', ms: { min: 0, max: 20 } }] });
    const job = emulator.createJob();
    const replies = await Promise.all(
      Array.from({ length: 20 }, () => postEvent(emulator, 'started', job.id)),
    );

    const statuses = replies.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(19);
    expect(emulator.getJob(job.id)?.status).toBe('in_progress');
    expect(emulator.requests({ route: 'jobEvents', jobId: job.id })).toHaveLength(20);
  });

  it('lets exactly one of two racing completion events end the job', async () => {
    const emulator = await start({ conflictStatus: 409 });
    const job = emulator.createJob({ status: 'in_progress' });
    const replies = await Promise.all([
      postEvent(emulator, 'completed', job.id),
      postEvent(emulator, 'failed', job.id),
    ]);
    expect(replies.map((r) => r.status).sort()).toEqual([200, 409]);
  });
});
