/**
 * Checks shared by the Pleo routes: ids, visibility and body validation.
 */
import { z } from 'zod';
import { canSee, type Identity } from '../auth.js';
import { badRequest, jobNotFound } from '../problem.js';
import type { StoredJob } from '../store.js';
import type { RouteContext } from '../router.js';

const uuid = z.uuid();

/** The value when it is a UUID; a 400 naming the parameter when not. */
export function requireUuid(value: string | null | undefined, name: string): string {
  if (value === null || value === undefined || value === '') {
    throw badRequest('MISSING_PARAMETER', `${name} is required.`);
  }
  if (!uuid.safeParse(value).success) {
    throw badRequest('INVALID_UUID', `${name} must be a UUID; got '${value}'.`);
  }
  return value;
}

/**
 * The job when it exists and the caller may see it. A job of a company the
 * credential is not bound to is a 404, so its existence does not leak.
 */
export function findVisibleJob(context: RouteContext, jobId: string): StoredJob {
  const stored = context.state.store.find(jobId);
  if (!stored || !canSee(context.identity, stored.job.companyId)) throw jobNotFound(jobId);
  return stored;
}

export function visibleTo(identity: Identity): (stored: StoredJob) => boolean {
  return (stored) => canSee(identity, stored.job.companyId);
}

/** Parses with a schema; a 400 whose message lists each problem and its field. */
export function validate<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.output<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const details = parsed.error.issues
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : '(body)';
      return `${field}: ${issue.message}`;
    })
    .join('; ');
  throw badRequest('VALIDATION_ERROR', `Invalid ${what}: ${details}.`);
}
