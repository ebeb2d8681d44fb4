/**
 * How job lists are ordered and where their cursors point. Jobs are ordered
 * by `createdAt` as an instant, ties by id; comparing the strings would put
 * `10:00+01:00` after `09:30Z` and `05.5Z` before `05Z`.
 */
import { compareInstants, type Instant } from '../../pleo/instant.js';
import { badRequest } from '../problem.js';
import { decodeCursor, encodeCursor } from '../paging.js';
import type { StoredJob } from '../store.js';

export interface JobKey {
  createdAt: Instant;
  id: string;
}

export type SortOrder = 'ASC' | 'DESC';

export const keyOf = (stored: StoredJob): JobKey => ({
  createdAt: stored.createdAt,
  id: stored.job.id,
});

export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/**
 * The comparator of a listing. With `ignoreSorting` the emulator plays a
 * server that orders by id, which looks random next to creation time.
 */
export function jobComparator(
  order: SortOrder,
  ignoreSorting: boolean,
): (a: JobKey, b: JobKey) => number {
  if (ignoreSorting) return (a, b) => compareIds(a.id, b.id);
  const ascending = (a: JobKey, b: JobKey) =>
    compareInstants(a.createdAt, b.createdAt) || compareIds(a.id, b.id);
  return order === 'ASC' ? ascending : (a, b) => ascending(b, a);
}

const CURSOR_KIND = 'job';

export function jobCursor(key: JobKey): string {
  const { epochMs, subMsNanos } = key.createdAt;
  return encodeCursor(CURSOR_KIND, `${epochMs}.${subMsNanos}.${key.id}`);
}

export function parseJobCursor(cursor: string): JobKey {
  const match = /^(-?\d+)\.(\d+)\.(.+)$/.exec(decodeCursor(CURSOR_KIND, cursor));
  if (!match) {
    throw badRequest('INVALID_CURSOR', `The 'after' cursor '${cursor}' is malformed.`);
  }
  const [, epochMs = '0', subMsNanos = '0', id = ''] = match;
  return { createdAt: { epochMs: Number(epochMs), subMsNanos: Number(subMsNanos) }, id };
}
