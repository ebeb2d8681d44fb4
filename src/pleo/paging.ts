/**
 * Follows Pleo's cursor paging to the last page, refusing to loop: a cursor
 * seen before, a missing cursor while `hasNextPage` is true, or too many
 * pages all stop with a {@link CursorStuckError}.
 */
import type { z } from 'zod';
import { CursorStuckError } from '../errors.js';
import { truncate } from './classify.js';
import type { PageSchema } from './schemas.js';

export type Page = z.infer<typeof PageSchema>;

export interface PagingOptions {
  /** Fetches one page; `after` is undefined for the first. */
  fetchPage: (after: string | undefined, pageNumber: number) => Promise<Page>;
  /** Receives each page's records, page numbers starting at 1. */
  onPage: (records: readonly unknown[], pageNumber: number) => void;
  maxPages: number;
  /** Names the listing in error messages, e.g. `GET /v3/export-jobs`. */
  what: string;
  jobId?: string | undefined;
}

/**
 * Fetches every page in order and returns how many there were.
 *
 * @example
 * const pages = await followPages({
 *   what: 'GET /v3/export-jobs', maxPages: 100,
 *   fetchPage: (after) => getPage(after),
 *   onPage: (records) => all.push(...records),
 * });
 */
export async function followPages(options: PagingOptions): Promise<number> {
  const { fetchPage, onPage, maxPages, what, jobId } = options;
  const seen = new Set<string>();
  let after: string | undefined;

  for (let pageNumber = 1; ; pageNumber += 1) {
    const page = await fetchPage(after, pageNumber);
    onPage(page.data, pageNumber);

    const { hasNextPage, endCursor } = page.pagination;
    if (!hasNextPage) return pageNumber;

    if (typeof endCursor !== 'string' || endCursor === '') {
      throw new CursorStuckError(
        `${what}: page ${pageNumber} says more pages follow but gives no endCursor.`,
        { jobId },
      );
    }
    if (seen.has(endCursor)) {
      // Not only the previous cursor: a server cycling A → B → A would
      // otherwise be followed forever.
      throw new CursorStuckError(
        `${what}: page ${pageNumber} repeats a cursor seen before: ${quote(endCursor)}.`,
        { jobId },
      );
    }
    if (pageNumber >= maxPages) {
      throw new CursorStuckError(
        `${what}: stopped after ${maxPages} pages (maxPages) with more pages announced.`,
        { jobId },
      );
    }
    seen.add(endCursor);
    after = endCursor;
  }
}

function quote(cursor: string): string {
  return JSON.stringify(truncate(cursor, 60));
}
