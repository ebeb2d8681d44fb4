/**
 * Gathers the jobs of every page of `GET /v3/export-jobs`: each record is
 * checked on its own, so one bad record is reported and skipped instead of
 * hiding the rest of the page. Nothing is filtered or sorted here; selection
 * does that, trusting neither the server's order nor its status filter.
 */
import { formatIssues } from './decode.js';
import { type ExportJob, ExportJobSchema } from './schemas.js';

/** A record that failed {@link ExportJobSchema}: skipped, never claimed. */
export interface InvalidJobRecord {
  /** 1-based page number. */
  page: number;
  /** 0-based position within that page's `data`. */
  index: number;
  /** The record's `id`, when it had a string one. */
  id?: string;
  /** The record's `status`, when it had a string one. */
  status?: string;
  issues: string[];
}

/**
 * What {@link PleoClient.listJobs} returns.
 *
 * @example
 * const { jobs, invalid } = await client.listJobs({ companyId });
 * for (const bad of invalid) log.warn(bad, 'skipped an unreadable job');
 */
export interface ListJobsResult {
  /** Every valid record of every page, one per id (a later page's copy wins). */
  jobs: ExportJob[];
  invalid: InvalidJobRecord[];
  pages: number;
  /** HTTP attempts made, retries included. */
  requests: number;
}

/** Collects the records of one page after another. */
export class JobCollector {
  readonly #byId = new Map<string, ExportJob>();
  readonly #invalid: InvalidJobRecord[] = [];

  add(records: readonly unknown[], page: number): void {
    records.forEach((record, index) => {
      const parsed = ExportJobSchema.safeParse(record);
      if (parsed.success) {
        // A job can move between pages while we read; its later copy is newer.
        this.#byId.set(parsed.data.id, parsed.data);
        return;
      }
      const id = idOf(record);
      const issues = formatIssues(parsed.error.issues);
      const invalid: InvalidJobRecord = { page, index, issues };
      if (id !== undefined) invalid.id = id;
      const status = (record as { status?: unknown } | null)?.status;
      if (typeof status === 'string') invalid.status = status;
      this.#invalid.push(invalid);
    });
  }

  result(pages: number, requests: number): ListJobsResult {
    const jobs = [...this.#byId.values()];
    return { jobs, invalid: [...this.#invalid], pages, requests };
  }
}

function idOf(record: unknown): string | undefined {
  if (typeof record !== 'object' || record === null) return undefined;
  if (!('id' in record) || typeof record.id !== 'string') return undefined;
  return record.id === '' ? undefined : record.id;
}

/**
 * The query of one page, `statuses` repeated as Pleo expects
 * (`statuses=pending&statuses=in_progress`).
 */
export function listJobsQuery(input: {
  companyId?: string | undefined;
  statuses: readonly string[];
  limit: number;
  after: string | undefined;
}): URLSearchParams {
  const query = new URLSearchParams();
  if (input.companyId !== undefined) query.set('company_id', input.companyId);
  for (const status of input.statuses) query.append('statuses', status);
  query.set('limit', String(input.limit));
  if (input.after !== undefined) query.set('after', input.after);
  query.set('sorting_keys', 'createdAt');
  query.set('sorting_order', 'ASC');
  return query;
}
