/**
 * Shared test plumbing: start emulators that are closed after each test,
 * and call them over real HTTP on loopback.
 */
import { afterEach } from 'vitest';
import { request } from 'undici';
import {
  startEmulator,
  type Emulator,
  type EmulatorOptions,
} from '../../src/emulator/index.js';

const running: Emulator[] = [];

afterEach(async () => {
  await Promise.all(running.splice(0).map((emulator) => emulator.close()));
});

/** An emulator that closes itself after the current test. */
export async function start(options: EmulatorOptions = {}): Promise<Emulator> {
  const emulator = await startEmulator(options);
  running.push(emulator);
  return emulator;
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: unknown;
  text: string;
}

export interface CallOptions {
  /** Sent as JSON with `content-type: application/json`. */
  body?: unknown;
  /** Sent as is, without a content type unless `headers` gives one. */
  rawBody?: string;
  /** Default: the emulator's token; null sends no Authorization header. */
  token?: string | null;
  headers?: Record<string, string>;
  /** Fails the call when no full answer arrives in time (default 5 s). */
  timeoutMs?: number;
}

export async function call(
  emulator: Emulator,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
  path: string,
  options: CallOptions = {},
): Promise<Reply> {
  const headers: Record<string, string> = {};
  const token = options.token === undefined ? emulator.token : options.token;
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  Object.assign(headers, options.headers);

  // A signal rather than undici's own timeouts: those tick coarsely and
  // would make a 150 ms deadline take a second.
  const response = await request(`${emulator.url}${path}`, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
  });
  const text = await response.body.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.statusCode, headers: response.headers, json, text };
}

/** A typed view of a JSON body, for assertions only. */
export function bodyOf<T = Record<string, unknown>>(reply: Reply): T {
  return reply.json as T;
}

export function postEvent(
  emulator: Emulator,
  event: string,
  jobId: string,
  extra: Record<string, unknown> = {},
): Promise<Reply> {
  return call(emulator, 'POST', '/v3/export-job-events', { body: { event, jobId, ...extra } });
}

export interface JobPage {
  data: Array<Record<string, unknown> & { id: string; createdAt: string; status: string }>;
  pagination: {
    hasNextPage: boolean;
    hasPreviousPage: boolean;
    startCursor: string | null;
    endCursor: string | null;
    total: number;
  };
}

/** Follows every page of a job listing; returns the ids in the order served. */
export async function listAllJobIds(
  emulator: Emulator,
  query: string,
  startAfter: string | null = null,
): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = startAfter;
  for (let pages = 0; pages < 100; pages++) {
    const cursor: string = after === null ? '' : `&after=${encodeURIComponent(after)}`;
    const page = await jobPage(emulator, `?${query}${cursor}`);
    ids.push(...page.data.map((job) => job.id));
    if (!page.pagination.hasNextPage) return ids;
    after = page.pagination.endCursor;
  }
  throw new Error('Paging did not end within 100 pages.');
}

/** Only the status of a call. */
export async function statusOf(
  emulator: Emulator,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH',
  path: string,
  options: CallOptions = {},
): Promise<number> {
  return (await call(emulator, method, path, options)).status;
}

/** A job listing page, parsed for assertions. */
export async function jobPage(emulator: Emulator, query = ''): Promise<JobPage> {
  return bodyOf<JobPage>(await call(emulator, 'GET', `/v3/export-jobs${query}`));
}
