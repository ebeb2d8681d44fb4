/**
 * `POST /v3/export-job-events`: the only way a job changes status. The check
 * and the change happen in one synchronous step, so of N concurrent
 * `started` events exactly one wins and the rest get the conflict answer.
 */
import {
  INVALID_STATUS_CHANGE,
  JOB_EVENTS,
  JobEventBodySchema,
} from '../../pleo/schemas.js';
import { parseJsonBody, type ApiResponse } from '../http-io.js';
import { ApiProblem, badRequest, jobNotFound } from '../problem.js';
import type { RouteContext } from '../router.js';
import { findVisibleJob, requireUuid, validate } from './common.js';

/** What a successful event answers (Pleo's sample shows this sentence). */
export const EVENT_ACCEPTED_MESSAGE = 'Export Job Event created successfully.';

export function postJobEvent(context: RouteContext): ApiResponse {
  const raw = parseJsonBody(context.contentType, context.rawBody);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw badRequest('INVALID_BODY', 'The body must be a JSON object {event, jobId}.');
  }
  const fields = raw as Record<string, unknown>;
  const events: readonly unknown[] = JOB_EVENTS;
  if (!events.includes(fields['event'])) {
    const given = JSON.stringify(fields['event']) ?? 'none';
    const message = `Unknown event ${given}; expected one of ${JOB_EVENTS.join(', ')}.`;
    throw badRequest('UNKNOWN_EVENT', message);
  }
  requireUuid(typeof fields['jobId'] === 'string' ? fields['jobId'] : undefined, 'jobId');
  const body = validate(JobEventBodySchema, raw, 'job event');

  findVisibleJob(context, body.jobId);
  const result = context.state.store.applyEvent(body);
  if (result.ok) return { status: 200, body: { message: EVENT_ACCEPTED_MESSAGE } };
  if (result.reason === 'notFound') throw jobNotFound(body.jobId);
  const { conflictStatus } = context.options;
  throw new ApiProblem(conflictStatus, INVALID_STATUS_CHANGE, result.message);
}
