/**
 * Every request the Pleo routes received, for tests to assert on ("exactly
 * one `started` was sent"). Entries carry who asked as a label, never the
 * credential, and no headers at all.
 */
import type { RouteName } from './faults.js';

/**
 * How a request ended: answered; cut off by a fault (`reset`, `hung`); left
 * by a client that closed the connection before its answer (`clientClosed`);
 * or still open.
 */
export type RequestOutcome = 'pending' | 'answered' | 'reset' | 'hung' | 'clientClosed';

export interface RecordedRequest {
  /** 1 for the first request since start or the last reset. */
  seq: number;
  method: string;
  path: string;
  /** The route it matched; `unknown` for 404s and 405s. */
  route: RouteName | 'unknown';
  /** The query; a key given more than once holds an array. */
  query: Record<string, string | string[]>;
  /** The body parsed as JSON, or the raw text when it is not JSON. */
  body: unknown;
  /** When it arrived, by the emulator's clock (ISO 8601). */
  time: string;
  /** `bearer:<label>`, `basic:<label>`, `none`, `invalid` or `revoked:<label>`. */
  auth: string;
  /** The status answered; absent when the answer never went out. */
  status?: number;
  outcome: RequestOutcome;
  /** The kinds of the faults that fired on it. */
  faults: string[];
  /** The job it was about, when it named one. */
  jobId?: string;
}

/** Narrows `requests()`: every given field must match. */
export interface RequestFilter {
  route?: RouteName | 'unknown';
  method?: string;
  path?: string;
  jobId?: string;
  status?: number;
  outcome?: RequestOutcome;
}

/** The log keeps this many entries; a long-running daemon must not grow forever. */
export const MAX_LOGGED_REQUESTS = 10_000;

export class RequestLog {
  #entries: RecordedRequest[] = [];
  #seq = 0;

  /** Starts an entry; the server fills in status and outcome as it answers. */
  start(entry: Omit<RecordedRequest, 'seq' | 'outcome' | 'faults'>): RecordedRequest {
    this.#seq += 1;
    const record: RecordedRequest = {
      seq: this.#seq,
      outcome: 'pending',
      faults: [],
      ...entry,
    };
    this.#entries.push(record);
    if (this.#entries.length > MAX_LOGGED_REQUESTS) this.#entries.shift();
    return record;
  }

  list(filter: RequestFilter = {}): RecordedRequest[] {
    return this.#entries
      .filter((entry) => matches(entry, filter))
      .map((entry) => structuredClone(entry));
  }

  clear(): void {
    this.#entries = [];
    this.#seq = 0;
  }
}

function matches(entry: RecordedRequest, filter: RequestFilter): boolean {
  return (
    (filter.route === undefined || entry.route === filter.route) &&
    (filter.method === undefined || entry.method === filter.method.toUpperCase()) &&
    (filter.path === undefined || entry.path === filter.path) &&
    (filter.jobId === undefined || entry.jobId === filter.jobId) &&
    (filter.status === undefined || entry.status === filter.status) &&
    (filter.outcome === undefined || entry.outcome === filter.outcome)
  );
}
