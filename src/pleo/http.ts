/**
 * The one function that talks to Pleo: a single attempt of a single request,
 * with a deadline over the whole exchange (connect, headers and body) and
 * every failure classified. Retrying is the caller's business.
 */
import type { Logger } from 'pino';
import { request, type Dispatcher } from 'undici';
import {
  AbortedError,
  ConnectionError,
  PleoExportError,
  RateLimitedError,
  toError,
} from '../errors.js';
import { errorFromFailure, errorFromResponse } from './classify.js';
import { type CredentialsSource, resolveCredentials } from './credentials.js';
import { startDeadline } from './deadline.js';
import type { RequestGate } from './request-gate.js';

/** What the client reports after every attempt, for metrics. */
export interface RequestInfo {
  method: string;
  path: string;
  status?: number;
  durationMs: number;
  attempt: number;
  /** The error's `code` when the attempt failed. */
  error?: string;
}

export interface Transport {
  baseUrl: string;
  credentials: CredentialsSource;
  timeoutMs: number;
  userAgent: string;
  dispatcher?: Dispatcher | undefined;
  logger?: Logger | undefined;
  onRequest?: ((info: RequestInfo) => void) | undefined;
  /** A budget shared with other clients; every attempt passes it first. */
  gate?: { instance: RequestGate; lane: string } | undefined;
}

export type HttpMethod = 'GET' | 'POST' | 'PUT';

export interface HttpCall {
  method: HttpMethod;
  /** Path and query, e.g. `/v3/export-jobs?limit=100`. */
  path: string;
  /** Sent as JSON when present. */
  body?: unknown;
  signal?: AbortSignal | undefined;
  /** 1-based; carried into logs and errors. */
  attempt: number;
  jobId?: string | undefined;
}

/** A 2xx answer, its body read to the end. */
export interface HttpAnswer {
  status: number;
  text: string;
  /** The `content-type` header, when there was one. */
  contentType?: string | undefined;
  /** The forms of the credentials used, to redact from any excerpt. */
  secrets: readonly string[];
}

/**
 * Sends one request and reads the whole body. Resolves with 2xx answers
 * only; everything else rejects with a classified `PleoExportError`.
 *
 * @example
 * const { text } = await sendRequest(transport, {
 *   method: 'GET', path: '/v3/export-jobs/42', attempt: 1,
 * });
 */
export async function sendRequest(
  transport: Transport,
  call: HttpCall,
): Promise<HttpAnswer> {
  const release = transport.gate
    ? await acquireGate(transport.gate, call)
    : undefined;
  const startedAt = performance.now();
  let outcome: Outcome = { status: undefined, error: undefined };
  try {
    const answer = await exchange(transport, call);
    outcome = { status: answer.status, error: undefined };
    return answer;
  } catch (error: unknown) {
    if (error instanceof RateLimitedError) transport.gate?.instance.slowDown(error.retryAfterMs);
    outcome = error instanceof PleoExportError
      ? { status: error.status, error: error.code }
      : { status: undefined, error: toError(error).name };
    throw error;
  } finally {
    release?.();
    report(transport, call, outcome, performance.now() - startedAt);
  }
}

async function acquireGate(
  gate: NonNullable<Transport['gate']>,
  call: HttpCall,
): Promise<() => void> {
  try {
    return await gate.instance.acquire(gate.lane, call.signal);
  } catch (cause) {
    const { method, path, attempt, jobId } = call;
    const message = `${method} ${path} was aborted while waiting for its turn.`;
    throw new AbortedError(message, { method, path, attempt, jobId, cause });
  }
}

type Outcome = { status: number | undefined; error: string | undefined };

async function exchange(transport: Transport, call: HttpCall): Promise<HttpAnswer> {
  const { method, path, attempt, jobId } = call;
  const where = `${method} ${path}`;
  if (call.signal?.aborted) {
    const cause: unknown = call.signal.reason;
    const message = `${where} was aborted before it was sent.`;
    throw new AbortedError(message, { method, path, attempt, jobId, cause });
  }

  const credentials = await resolveCredentials(transport.credentials, (cause) => {
    const message = `The credentials provider failed; ${where} was not sent.`;
    const context = { method, path, attempt, jobId, cause };
    return new ConnectionError(message, { ...context, mayHaveReachedServer: false });
  });
  const context = { method, path, attempt, jobId, secrets: credentials.secrets };

  const deadline = startDeadline(transport.timeoutMs, call.signal);
  let answer: RawAnswer;
  try {
    const { authorization } = credentials;
    answer = await readAnswer(transport, call, authorization, deadline.signal);
  } catch (error: unknown) {
    throw errorFromFailure(error, {
      ...context,
      callerAborted: call.signal?.aborted ?? false,
      expired: deadline.expired,
      timeoutMs: transport.timeoutMs,
    });
  } finally {
    deadline.dispose();
  }

  if (answer.status < 200 || answer.status > 299) {
    throw errorFromResponse(answer, { ...context, status: answer.status });
  }
  const { status, text, contentType } = answer;
  return { status, text, contentType, secrets: credentials.secrets };
}

interface RawAnswer {
  status: number;
  text: string;
  contentType: string | undefined;
  retryAfter: string | string[] | undefined;
}

/** Sends the request and reads the body to its end, under `signal`. */
async function readAnswer(
  transport: Transport,
  call: HttpCall,
  authorization: string,
  signal: AbortSignal,
): Promise<RawAnswer> {
  const hasBody = call.body !== undefined;
  const headers: Record<string, string> = {
    accept: 'application/json',
    authorization,
    'user-agent': transport.userAgent,
  };
  if (hasBody) headers['content-type'] = 'application/json';

  const response = await request(joinUrl(transport.baseUrl, call.path), {
    method: call.method,
    dispatcher: transport.dispatcher,
    signal,
    headers,
    body: hasBody ? JSON.stringify(call.body) : undefined,
  });
  try {
    const text = await response.body.text();
    const retryAfter = response.headers['retry-after'];
    const type = response.headers['content-type'];
    const contentType = Array.isArray(type) ? type[0] : type;
    return { status: response.statusCode, text, contentType, retryAfter };
  } catch (error: unknown) {
    // An errored body is usually destroyed already; this makes sure the
    // socket is released whatever went wrong while reading.
    response.body.destroy();
    throw error;
  }
}

/** Keeps a path prefix of the base URL (`http://host/pleo` + `/v3/…`). */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}${path}`;
}

function report(
  transport: Transport,
  call: HttpCall,
  outcome: Outcome,
  elapsedMs: number,
): void {
  const { method, path, attempt } = call;
  const durationMs = Math.round(elapsedMs * 10) / 10;
  const info: RequestInfo = { method, path, durationMs, attempt };
  if (outcome.status !== undefined) info.status = outcome.status;
  if (outcome.error !== undefined) info.error = outcome.error;

  const { status, error: code } = outcome;
  const line = { method, path, status, ms: durationMs, attempt, code };
  transport.logger?.debug(line, 'pleo request');
  try {
    transport.onRequest?.(info);
  } catch (error: unknown) {
    // A broken metrics hook must not fail the request it measured.
    transport.logger?.warn({ err: toError(error) }, 'onRequest hook threw; ignored');
  }
}
