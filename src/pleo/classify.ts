/**
 * Turns what came back from one request (an answer that is not 2xx, or a
 * thrown error) into one of the library's error classes, so callers and the
 * retry policy can branch on `code`.
 */
import {
  AbortedError,
  AuthRejectedError,
  ConnectionError,
  type ErrorContext,
  PleoExportError,
  RateLimitedError,
  RequestRejectedError,
  ServerError,
  StatusConflictError,
  TimeoutError,
} from '../errors.js';
import { redact, safeCause } from './credentials.js';
import { parseRetryAfter } from './retry.js';
import { ErrorBodySchema, INVALID_STATUS_CHANGE } from './schemas.js';

/** What every classified error carries, plus the secrets to keep out of it. */
export interface FailureContext extends ErrorContext {
  method: string;
  path: string;
  attempt: number;
  secrets: readonly string[];
}

/**
 * Codes of failures that happen before a single byte of the request is
 * written: nothing can have reached Pleo, so even a POST may be sent again.
 */
const NEVER_LEFT_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'UND_ERR_CONNECT_TIMEOUT',
]);

const MESSAGE_EXCERPT_CHARS = 200;

/** How the request's signal ended, when it did. */
export interface DeadlineState {
  callerAborted: boolean;
  expired: boolean;
  timeoutMs: number;
}

type ErrorBody = { type: string; message?: string | undefined };

/** Classifies an answer whose status is not 2xx. */
export function errorFromResponse(
  answer: { status: number; text: string; retryAfter: string | string[] | undefined },
  context: FailureContext,
): PleoExportError {
  const { status } = answer;
  const { secrets, ...errorContext } = context;
  const details = errorBody(answer.text);
  const where = `${context.method} ${context.path}`;

  if (status === 401 || status === 403) {
    const message = `Pleo rejected the credentials (${status}) on ${where}.`;
    return new AuthRejectedError(message, errorContext);
  }
  if (status >= 400 && status < 500 && details?.type === INVALID_STATUS_CHANGE) {
    return new StatusConflictError(
      `Pleo refused the job's status change (${status}) on ${where}.`,
      errorContext,
    );
  }
  if (status === 429) {
    const retryAfterMs = parseRetryAfter(answer.retryAfter, Date.now());
    const message = `Pleo rate-limited ${where}.`;
    return new RateLimitedError(message, { ...errorContext, retryAfterMs });
  }
  if (status >= 500) {
    return new ServerError(`Pleo failed with ${status} on ${where}.`, errorContext);
  }

  const said = details === undefined ? '.' : `: ${describe(details, secrets)}`;
  const message = `Pleo rejected ${where} with ${status}${said}`;
  return new RequestRejectedError(message, errorContext);
}

/**
 * Classifies an error thrown while sending or reading. The caller's abort
 * wins over the deadline, which wins over the network error it caused.
 */
export function errorFromFailure(
  error: unknown,
  context: FailureContext & DeadlineState,
): PleoExportError {
  const { secrets, callerAborted, expired, timeoutMs, ...rest } = context;
  const errorContext = { ...rest, cause: safeCause(error, secrets) };
  const where = `${context.method} ${context.path}`;

  if (error instanceof PleoExportError) return error;
  if (callerAborted) return new AbortedError(`${where} was aborted.`, errorContext);
  if (expired) {
    return new TimeoutError(`${where} got no whole answer within ${timeoutMs} ms.`, {
      ...errorContext,
      timeoutMs,
    });
  }

  const codes = networkCodes(error);
  const neverLeft = codes.length > 0 && codes.every((code) => NEVER_LEFT_CODES.has(code));
  const mayHaveReachedServer = !neverLeft;
  const reason = codes[0] ?? redact(messageOf(error), secrets);
  return new ConnectionError(`${where} failed on the network (${reason}).`, {
    ...errorContext,
    mayHaveReachedServer,
  });
}

/**
 * The codes that describe a network failure. Node reports a failed connect
 * to several addresses as an AggregateError; only when every address
 * failed before connecting did the request never leave.
 */
function networkCodes(error: unknown): string[] {
  if (error instanceof AggregateError && error.errors.length > 0) {
    const inner = error.errors.map(codeOf);
    return inner.every((code) => code !== undefined) ? inner : [];
  }
  const code = codeOf(error) ?? codeOf(error instanceof Error ? error.cause : undefined);
  return code === undefined ? [] : [code];
}

function codeOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  return typeof error.code === 'string' ? error.code : undefined;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorBody(text: string): ErrorBody | undefined {
  try {
    const parsed = ErrorBodySchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    // Not JSON: the status alone classifies the answer.
    return undefined;
  }
}

function describe(details: ErrorBody, secrets: readonly string[]): string {
  const { type, message } = details;
  const text = message === undefined ? type : `${type} (${message})`;
  return truncate(redact(text, secrets), MESSAGE_EXCERPT_CHARS);
}

/** Shortens text for a message, marking the cut. */
export function truncate(text: string, maxChars: number): string {
  return text.length <= maxChars ? text : `${text.slice(0, maxChars - 1)}…`;
}
