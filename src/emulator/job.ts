/**
 * The emulator's export job record and the status machine Pleo applies to
 * job events. Pure functions: the store decides when to call them.
 */
import type { JobEvent, JobEventBody, JobStatus, KnownJobStatus } from '../pleo/schemas.js';

/** An export job as the emulator stores and serves it (Pleo's field names). */
export interface Job {
  id: string;
  companyId: string;
  status: JobStatus;
  createdAt: string;
  createdBy: string;
  expiresIn: number;
  isInteractive: boolean;
  numberOfItems: number;
  vendorBasedBookkeeping: boolean;
  lastUpdatedAt: string;
  startedAt?: string;
  completedAt?: string;
  expiredAt?: string;
  failureReason?: string;
  failureReasonType?: string;
}

/** Which status each event needs, and which it leads to. */
export const JOB_TRANSITIONS: Readonly<
  Record<JobEvent, { from: KnownJobStatus; to: KnownJobStatus }>
> = {
  started: { from: 'pending', to: 'in_progress' },
  completed: { from: 'in_progress', to: 'completed' },
  completed_with_errors: { from: 'in_progress', to: 'completed_with_errors' },
  failed: { from: 'in_progress', to: 'failed' },
};

export type TransitionResult = { ok: true; job: Job } | { ok: false; message: string };

/** The job after the event, or why the event is not a legal status change. */
export function transition(job: Job, body: JobEventBody, nowIso: string): TransitionResult {
  const rule = JOB_TRANSITIONS[body.event];
  if (job.status !== rule.from) {
    return {
      ok: false,
      message:
        `Export Job status change failed: event '${body.event}' needs status ` +
        `'${rule.from}', but job ${job.id} is '${job.status}'.`,
    };
  }

  const next: Job = { ...job, status: rule.to, lastUpdatedAt: nowIso };
  if (body.event === 'started') {
    next.startedAt = nowIso;
  } else {
    next.completedAt = nowIso;
    const { failureReason, failureReasonType } = body;
    if (failureReason !== undefined) next.failureReason = failureReason;
    if (failureReasonType !== undefined) next.failureReasonType = failureReasonType;
  }
  return { ok: true, job: next };
}

/** True while the job can still expire (it has not ended). */
export function canExpire(job: Job): boolean {
  return job.status === 'pending' || job.status === 'in_progress';
}

/** The job as Pleo shows it once its time ran out. */
export function expired(job: Job, expiredAtIso: string): Job {
  return {
    ...job,
    status: 'failed',
    expiredAt: expiredAtIso,
    lastUpdatedAt: expiredAtIso,
    failureReasonType: 'job_expired',
    failureReason: `The export job expired after ${job.expiresIn} seconds.`,
  };
}
