/**
 * `GET` and `PUT /v3/export-jobs/{jobId}/items` (item export statuses) and
 * `GET /v3/export-items?job_id=` (the accounting data to export).
 */
import { z } from 'zod';
import { ItemUpdateSchema, MAX_ITEMS_PER_UPDATE } from '../../pleo/schemas.js';
import { parseJsonBody, type ApiResponse } from '../http-io.js';
import { decodeCursor, encodeCursor, paginate, readLimit } from '../paging.js';
import { ApiProblem, badRequest } from '../problem.js';
import type { RouteContext } from '../router.js';
import { findVisibleJob, requireUuid, validate } from './common.js';

export function getJobItems(context: RouteContext): ApiResponse {
  const jobId = requireUuid(context.params['jobId'], 'jobId');
  const stored = findVisibleJob(context, jobId);
  return pageOfEntries(context, stored.items, 'item');
}

export function putJobItems(context: RouteContext): ApiResponse {
  const jobId = requireUuid(context.params['jobId'], 'jobId');
  const stored = findVisibleJob(context, jobId);
  const raw = parseJsonBody(context.contentType, context.rawBody);
  if (!Array.isArray(raw)) {
    throw badRequest('INVALID_BODY', 'The body must be a JSON array of item updates.');
  }
  if (raw.length > MAX_ITEMS_PER_UPDATE) {
    throw badRequest(
      'TOO_MANY_ITEMS',
      `At most ${MAX_ITEMS_PER_UPDATE} items per call; got ${raw.length}.`,
    );
  }
  const updates = validate(z.array(ItemUpdateSchema), raw, 'item updates');

  // Pleo's docs do not say what happens here; refusing catches a client
  // that reports items of a job it never claimed (an assumption, documented).
  if (context.options.strictItemUpdates && stored.job.status !== 'in_progress') {
    throw new ApiProblem(
      context.options.conflictStatus,
      'INVALID_EXPORT_JOB_STATUS',
      `Items can be updated only while job ${jobId} is in_progress; ` +
        `it is '${stored.job.status}'.`,
    );
  }
  return { status: 200, body: context.state.store.updateItems(stored, updates) };
}

export function getExportItems(context: RouteContext): ApiResponse {
  const jobId = requireUuid(context.query.get('job_id'), 'job_id');
  const stored = findVisibleJob(context, jobId);
  return pageOfEntries(context, stored.exportItems, 'export-item');
}

/** A page of a job's entries, in creation order, with cursors by entry id. */
function pageOfEntries<T extends { accountingEntryId: string }>(
  context: RouteContext,
  entries: readonly T[],
  cursorKind: string,
): ApiResponse {
  const limit = readLimit(context.query, context.options.pageSize);
  const after = context.query.get('after');
  let position = -1;
  if (after !== null) {
    const id = decodeCursor(cursorKind, after);
    position = entries.findIndex((e) => e.accountingEntryId === id);
    if (position === -1) {
      const message = `The 'after' cursor '${after}' names no entry of this job.`;
      throw badRequest('INVALID_CURSOR', message);
    }
  }
  const page = paginate(entries, {
    limit,
    isAfterCursor: after === null ? undefined : (_entry, index) => index > position,
    cursorOf: (e) => encodeCursor(cursorKind, e.accountingEntryId),
  });
  const body = { data: structuredClone(page.data), pagination: page.pagination };
  return { status: 200, body };
}
