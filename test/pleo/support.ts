/**
 * Shared set-up for the client's tests: a MockAgent that refuses real
 * network traffic, a client wired to it with no waits between retries, and
 * small builders for Pleo's payloads.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import { MockAgent, type MockPool } from 'undici';
import { createPleoClient, type PleoClient } from '../../src/pleo/client.js';
import type { PleoClientOptions } from '../../src/pleo/client-options.js';

export const ORIGIN = 'https://pleo.test';
export const TOKEN = 'tok_live_S3cr3t-never-log-me';
export const API_KEY = 'key_live_An0ther-s3cret';
export const JOB_ID = '0b7e4f8a-5c21-4d3e-8f90-1a2b3c4d5e6f';
export const COMPANY_ID = '6f1c2a7e-3b0d-4e55-9a1f-2d8c4b7e9a10';

export interface Mock {
  agent: MockAgent;
  pool: MockPool;
}

/** A MockAgent for {@link ORIGIN}; nothing else can be reached. */
export function mockPleo(): Mock {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return { agent, pool: agent.get(ORIGIN) };
}

/** A client on the mock, retrying without waiting unless told otherwise. */
export function clientOn(mock: Mock, overrides: Partial<PleoClientOptions> = {}): PleoClient {
  return createPleoClient({
    baseUrl: ORIGIN,
    credentials: { token: TOKEN },
    dispatcher: mock.agent,
    requestTimeoutMs: 2_000,
    random: () => 0,
    ...overrides,
    retry: { baseDelayMs: 0, maxDelayMs: 0, ...overrides.retry },
  });
}

/** Matches a path that starts with `prefix` (queries vary per page). */
export const startsWith =
  (prefix: string) =>
  (path: string): boolean =>
    path.startsWith(prefix);

/** One request header as the mock saw it, whatever form headers took. */
export function headerOf(headers: unknown, name: string): string | undefined {
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  if (typeof headers !== 'object' || headers === null) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && typeof value === 'string') return value;
  }
  return undefined;
}

export function job(id: string, overrides: Record<string, unknown> = {}) {
  return {
    id,
    companyId: COMPANY_ID,
    status: 'pending',
    createdAt: '2026-11-30T09:14:05Z',
    expiresIn: 3600,
    isInteractive: false,
    numberOfItems: 1,
    vendorBasedBookkeeping: false,
    ...overrides,
  };
}

export function page(
  data: unknown[],
  pagination: { hasNextPage: boolean; endCursor?: string | null },
) {
  return { data, pagination: { hasPreviousPage: false, ...pagination } };
}

export const JSON_HEADERS = { headers: { 'content-type': 'application/json' } };

/** A pino logger at debug level whose lines are kept in `lines`. */
export function captureLogs(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** The rejection of `promise`, failing the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error: unknown) {
    return error;
  }
  throw new Error('Expected the promise to reject, but it resolved.');
}

/** An error shaped like Node's socket errors, for `replyWithError`. */
export function systemError(code: string): Error {
  return Object.assign(new Error(`connect ${code} 203.0.113.7:443`), { code });
}
