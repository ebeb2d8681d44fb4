/**
 * What an `export-job.created` webhook says, and who wants to hear it.
 */
import { WEBHOOK_JOB_CREATED_TYPES } from '../pleo/schemas.js';
import type { Job } from './job.js';
import type { SubscriptionRecord } from './subscriptions.js';

export interface JobCreatedEvent {
  eventId: string;
  eventType: string;
  data: Pick<
    Job,
    | 'id'
    | 'companyId'
    | 'status'
    | 'createdAt'
    | 'createdBy'
    | 'expiresIn'
    | 'isInteractive'
    | 'numberOfItems'
  >;
}

/** The event as Pleo's samples show it: the job's fields at creation. */
export function jobCreatedEvent(
  job: Job,
  eventId: string,
  eventType: string,
): JobCreatedEvent {
  const { id, companyId, status, createdAt, createdBy } = job;
  const { expiresIn, isInteractive, numberOfItems } = job;
  const data = { id, companyId, status, createdAt, createdBy };
  return { eventId, eventType, data: { ...data, expiresIn, isInteractive, numberOfItems } };
}

/** True when the subscription asked for job-created events of this company. */
export function wantsJobCreated(
  subscription: SubscriptionRecord,
  companyId: string,
): boolean {
  const types: readonly string[] = WEBHOOK_JOB_CREATED_TYPES;
  const wanted = subscription.eventTypes.some((t) => t === '*' || types.includes(t));
  const companies = subscription.companyIds;
  return wanted && (companies === undefined || companies.has(companyId));
}
