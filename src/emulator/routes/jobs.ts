/**
 * `GET /v3/export-jobs` and `GET /v3/export-jobs/{jobId}`.
 */
import { canSee } from '../auth.js';
import type { ApiResponse } from '../http-io.js';
import { paginate, readLimit } from '../paging.js';
import { ApiProblem, badRequest } from '../problem.js';
import type { RouteContext } from '../router.js';
import { JOB_STATUSES } from '../../pleo/schemas.js';
import { findVisibleJob, requireUuid, visibleTo } from './common.js';
import {
  jobComparator,
  jobCursor,
  keyOf,
  parseJobCursor,
  type SortOrder,
} from './job-order.js';

export function listJobs(context: RouteContext): ApiResponse {
  const { query, identity, quirks } = context;
  const companyId = query.get('company_id') ?? undefined;
  if (companyId !== undefined && !canSee(identity, companyId)) {
    const message = `This credential may not read company ${companyId}.`;
    throw new ApiProblem(403, 'FORBIDDEN', message);
  }
  const statuses = readStatuses(query);
  const order = readOrder(query);
  const limit = readLimit(query, context.options.pageSize);
  const after = query.get('after') ?? undefined;
  const afterKey = after === undefined ? undefined : parseJobCursor(after);

  const compare = jobComparator(order, quirks.ignoreSorting);
  const jobs = context.state.store
    .all()
    .filter(visibleTo(identity))
    .filter((s) => companyId === undefined || s.job.companyId === companyId)
    .filter((s) => !statuses || quirks.ignoreStatusFilter || statuses.has(s.job.status))
    .sort((a, b) => compare(keyOf(a), keyOf(b)));

  const page = paginate(jobs, {
    limit,
    isAfterCursor: afterKey && ((s) => compare(keyOf(s), afterKey) > 0),
    cursorOf: (s) => jobCursor(keyOf(s)),
  });
  const pagination = { ...page.pagination };
  if (quirks.stuckCursor && after !== undefined) {
    // A broken server: it hands back the cursor it was given, forever.
    pagination.endCursor = after;
    pagination.hasNextPage = true;
  }
  return {
    status: 200,
    body: {
      data: page.data.map((s) => ({ ...s.job })),
      pagination: {
        currentRequestPagination: {
          parameters: {},
          limit,
          sortingKeys: ['createdAt'],
          sortingOrder: [order],
        },
        ...pagination,
      },
    },
  };
}

export function getJob(context: RouteContext): ApiResponse {
  const jobId = requireUuid(context.params['jobId'], 'jobId');
  return { status: 200, body: { data: { ...findVisibleJob(context, jobId).job } } };
}

/** `statuses`, repeated or comma-separated; undefined when absent. */
function readStatuses(query: URLSearchParams): Set<string> | undefined {
  const values = query
    .getAll('statuses')
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
  if (values.length === 0) return undefined;
  const known: readonly string[] = JOB_STATUSES;
  const unknown = values.find((v) => !known.includes(v));
  if (unknown !== undefined) {
    throw badRequest(
      'INVALID_STATUS',
      `Unknown status '${unknown}' in statuses; expected ${JOB_STATUSES.join(', ')}.`,
    );
  }
  return new Set(values);
}

function readOrder(query: URLSearchParams): SortOrder {
  for (const key of query.getAll('sorting_keys')) {
    if (key !== 'createdAt') {
      const message = `Cannot sort by '${key}'; only by createdAt.`;
      throw badRequest('INVALID_SORTING_KEY', message);
    }
  }
  const order = (query.get('sorting_order') ?? 'ASC').toUpperCase();
  if (order !== 'ASC' && order !== 'DESC') {
    const message = `sorting_order must be ASC or DESC; got '${order}'.`;
    throw badRequest('INVALID_SORTING_ORDER', message);
  }
  return order;
}
