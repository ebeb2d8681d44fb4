/**
 * Shared set-up for the webhook tests: the Standard Webhooks test vector,
 * signed deliveries, a log capture, and loopback servers closed after each
 * test.
 */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterEach } from 'vitest';
import vector from './fixtures/webhook-export-job-created.json' with { type: 'json' };

export { vector };

/** The vector's clock: its timestamp, in epoch milliseconds. */
export const VECTOR_NOW_MS = Number(vector.headers['webhook-timestamp']) * 1000;

export const SECRET = 'whsec_dGVzdC1zZWNyZXQtZm9yLXdlYmhvb2stdGVzdHMtMzI=';
export const OTHER_SECRET = 'whsec_YW5vdGhlci1zZWNyZXQtdGhhdC1pcy1sb25nLWVub3VnaA==';
export const JOB_ID = '0b7e4f8a-5c21-4d3e-8f90-1a2b3c4d5e6f';
export const COMPANY_ID = '6f1c2a7e-3b0d-4e55-9a1f-2d8c4b7e9a10';

export function jobCreatedBody(
  overrides: { eventType?: string; jobId?: string; wrap?: boolean } = {},
): string {
  const event = {
    eventId: 'evt-1',
    eventType: overrides.eventType ?? 'v1.export-job.created',
    data: {
      id: overrides.jobId ?? JOB_ID,
      companyId: COMPANY_ID,
      status: 'pending',
      createdAt: '2026-11-30T09:14:05Z',
    },
  };
  return JSON.stringify(overrides.wrap ? { payload: event } : event);
}

export interface SignOptions {
  secret?: string;
  id?: string;
  /** Epoch milliseconds; default now. */
  atMs?: number;
}

/** Signing headers for `body`, made with the library's own `sign()`. */
export function signedHeaders(body: string, options: SignOptions = {}): Record<string, string> {
  const at = new Date(options.atMs ?? Date.now());
  const id = options.id ?? `msg_${Math.random().toString(36).slice(2)}`;
  return {
    'content-type': 'application/json',
    'webhook-id': id,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': new Webhook(options.secret ?? SECRET).sign(id, at, body),
  };
}

/** A pino logger whose lines are kept as text, to assert what was (not) logged. */
export function captureLogs(): { logger: Logger; text: () => string; lines: () => LogLine[] } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = pino({ level: 'debug' }, sink);
  const text = () => chunks.join('');
  const lines = () =>
    text()
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as LogLine);
  return { logger, text, lines };
}

export interface LogLine {
  level: number;
  msg: string;
  reason?: string;
  status?: number;
  [key: string]: unknown;
}

export const WARN = 40;

const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A node:http server on 127.0.0.1 and a free port, closed after the test. */
export async function serve(listener: RequestListener): Promise<string> {
  const server = createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

/** Runs `task` over `items` with at most `limit` running at once. */
export async function inBatches<T>(
  items: readonly T[],
  limit: number,
  task: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await task(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
