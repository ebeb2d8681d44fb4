/**
 * Cursor paging as Pleo's v3 lists do it: `limit` and an opaque `after`
 * cursor in, `{ data, pagination }` out.
 *
 * A cursor names the last record's sort key rather than an offset, so a page
 * stays correct when records before it change status or new ones arrive.
 */
import { badRequest } from './problem.js';

/** The largest page Pleo serves. */
export const MAX_PAGE_SIZE = 100;

export interface PaginationInfo {
  hasNextPage: boolean;
  hasPreviousPage: boolean;
  startCursor: string | null;
  endCursor: string | null;
  total: number;
}

export interface Page<T> {
  data: T[];
  pagination: PaginationInfo;
}

export interface PageRequest<T> {
  limit: number;
  /** True for the records that come after the `after` cursor; absent on page one. */
  isAfterCursor?: ((item: T, index: number) => boolean) | undefined;
  cursorOf: (item: T) => string;
}

export function paginate<T>(sorted: readonly T[], request: PageRequest<T>): Page<T> {
  const found = request.isAfterCursor ? sorted.findIndex(request.isAfterCursor) : 0;
  const start = found === -1 ? sorted.length : found;
  const data = sorted.slice(start, start + request.limit);
  const first = data[0];
  const last = data[data.length - 1];
  return {
    data,
    pagination: {
      hasNextPage: start + data.length < sorted.length,
      hasPreviousPage: start > 0,
      startCursor: first === undefined ? null : request.cursorOf(first),
      endCursor: last === undefined ? null : request.cursorOf(last),
      total: sorted.length,
    },
  };
}

/** `limit` from the query: the default when absent, else 1 to 100. */
export function readLimit(query: URLSearchParams, defaultSize: number): number {
  const text = query.get('limit');
  if (text === null) return defaultSize;
  const limit = /^\d{1,4}$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_PAGE_SIZE)) {
    const message = `limit must be an integer from 1 to ${MAX_PAGE_SIZE}; got '${text}'.`;
    throw badRequest('INVALID_LIMIT', message);
  }
  return limit;
}

export function encodeCursor(kind: string, key: string): string {
  return Buffer.from(`${kind}|${key}`, 'utf8').toString('base64url');
}

/** The key inside an `after` cursor of this kind; a 400 when it is not one. */
export function decodeCursor(kind: string, cursor: string): string {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const key = text.slice(kind.length + 1);
  // Re-encoding catches text that merely decodes to something by accident.
  if (!text.startsWith(`${kind}|`) || encodeCursor(kind, key) !== cursor) {
    const message = `The 'after' cursor '${cursor}' is not one this list issued.`;
    throw badRequest('INVALID_CURSOR', message);
  }
  return key;
}
