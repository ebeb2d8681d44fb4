/**
 * Every error this library throws or reports derives from {@link PleoExportError}
 * and carries a stable `code`. Branch on `code`, never on message text.
 */
export type ErrorCode =
  | 'CONFIG_INVALID'
  | 'PLEO_AUTH_REJECTED'
  | 'PLEO_STATUS_CONFLICT'
  | 'PLEO_RATE_LIMITED'
  | 'PLEO_SERVER_ERROR'
  | 'PLEO_REQUEST_REJECTED'
  | 'PLEO_TIMEOUT'
  | 'PLEO_CONNECTION'
  | 'PLEO_SCHEMA_INVALID'
  | 'PLEO_CURSOR_STUCK'
  | 'PRECHECK_FAILED'
  | 'PROCESSOR_FAILED'
  | 'STEP_TIMEOUT'
  | 'ABORTED';

export interface ErrorContext {
  /** The job the failing step was about, when there is one. */
  jobId?: string;
  companyId?: string;
  /** HTTP status of the answer, when one arrived. */
  status?: number;
  method?: string;
  path?: string;
  attempt?: number;
  cause?: unknown;
}

export class PleoExportError extends Error {
  override name = 'PleoExportError';
  readonly code: ErrorCode;
  readonly jobId: string | undefined;
  readonly companyId: string | undefined;
  readonly status: number | undefined;
  readonly method: string | undefined;
  readonly path: string | undefined;
  readonly attempt: number | undefined;

  constructor(code: ErrorCode, message: string, context: ErrorContext = {}) {
    super(message, context.cause === undefined ? undefined : { cause: context.cause });
    this.code = code;
    this.jobId = context.jobId;
    this.companyId = context.companyId;
    this.status = context.status;
    this.method = context.method;
    this.path = context.path;
    this.attempt = context.attempt;
  }
}

/** An option, flag or environment variable has a bad value; the message names it. */
export class ConfigError extends PleoExportError {
  override name = 'ConfigError' as const;
  constructor(message: string, context: ErrorContext = {}) {
    super('CONFIG_INVALID', message, context);
  }
}

/** Pleo answered 401 or 403: the token or API key is wrong, expired or lacks a scope. */
export class AuthRejectedError extends PleoExportError {
  override name = 'AuthRejectedError' as const;
  constructor(message: string, context: ErrorContext = {}) {
    super('PLEO_AUTH_REJECTED', message, context);
  }
}

/**
 * Pleo refused a job event because the job is not in a status that allows it
 * (`INVALID_EXPORT_JOB_STATUS_CHANGE`). For `started` this means another worker
 * won the claim.
 */
export class StatusConflictError extends PleoExportError {
  override name = 'StatusConflictError' as const;
  constructor(message: string, context: ErrorContext = {}) {
    super('PLEO_STATUS_CONFLICT', message, context);
  }
}

/** Pleo answered 429. `retryAfterMs` is what its `Retry-After` header asked for. */
export class RateLimitedError extends PleoExportError {
  override name = 'RateLimitedError' as const;
  readonly retryAfterMs: number | undefined;
  constructor(message: string, context: ErrorContext & { retryAfterMs?: number } = {}) {
    super('PLEO_RATE_LIMITED', message, context);
    this.retryAfterMs = context.retryAfterMs;
  }
}

/** Pleo answered 5xx. */
export class ServerError extends PleoExportError {
  override name = 'ServerError' as const;
  constructor(message: string, context: ErrorContext = {}) {
    super('PLEO_SERVER_ERROR', message, context);
  }
}

/** Pleo answered another 4xx: the request itself is wrong and will not improve by retrying. */
export class RequestRejectedError extends PleoExportError {
  override name = 'RequestRejectedError' as const;
  constructor(message: string, context: ErrorContext = {}) {
    super('PLEO_REQUEST_REJECTED', message, context);
  }
}

/**
 * A network failure. `mayHaveReachedServer` is false only when the request
 * provably never left (connection refused, name not resolved); a POST that
 * failed with it true has an unknown outcome.
 */
export class ConnectionError extends PleoExportError {
  override name = 'ConnectionError' as const;
  readonly mayHaveReachedServer: boolean;
  constructor(
    message: string,
    context: ErrorContext & { mayHaveReachedServer: boolean },
  ) {
    super('PLEO_CONNECTION', message, context);
    this.mayHaveReachedServer = context.mayHaveReachedServer;
  }
}

/** The request's deadline passed before a whole answer arrived. */
export class TimeoutError extends PleoExportError {
  override name = 'TimeoutError' as const;
  readonly timeoutMs: number;
  constructor(message: string, context: ErrorContext & { timeoutMs: number }) {
    super('PLEO_TIMEOUT', message, context);
    this.timeoutMs = context.timeoutMs;
  }
}

/** An answer was not JSON, or did not have the shape Pleo documents. */
export class SchemaError extends PleoExportError {
  override name = 'SchemaError' as const;
  readonly issues: string[];
  constructor(message: string, context: ErrorContext & { issues?: string[] } = {}) {
    super('PLEO_SCHEMA_INVALID', message, context);
    this.issues = context.issues ?? [];
  }
}

/** Paging could not make progress: the server returned the same cursor again. */
export class CursorStuckError extends PleoExportError {
  override name = 'CursorStuckError' as const;
  constructor(message: string, context: ErrorContext = {}) {
    super('PLEO_CURSOR_STUCK', message, context);
  }
}

/** A host step (pre-check, processor) ran longer than its time limit and was aborted. */
export class StepTimeoutError extends PleoExportError {
  override name = 'StepTimeoutError' as const;
  readonly timeoutMs: number;
  constructor(message: string, context: ErrorContext & { timeoutMs: number }) {
    super('STEP_TIMEOUT', message, context);
    this.timeoutMs = context.timeoutMs;
  }
}

/** The operation was cancelled through its AbortSignal. */
export class AbortedError extends PleoExportError {
  override name = 'AbortedError' as const;
  constructor(message = 'The operation was aborted.', context: ErrorContext = {}) {
    super('ABORTED', message, context);
  }
}

/** Turns anything caught into an Error, keeping the original as `cause`. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  if (typeof value === 'string') return new Error(value);
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return new Error(`Non-error value thrown: ${text}`, { cause: value });
}

/** Throws with a full-sentence message when an invariant does not hold. */
export function invariant(condition: unknown, sentence: string): asserts condition {
  if (!condition) throw new Error(`Invariant violated: ${sentence}`);
}

/**
 * True for the errors after which a `started` event may or may not have been
 * applied by Pleo: the claim's outcome must be reconciled by reading the job.
 */
export function isAmbiguousOutcome(error: unknown): boolean {
  if (error instanceof TimeoutError) return true;
  if (error instanceof ConnectionError) return error.mayHaveReachedServer;
  if (error instanceof ServerError) return true;
  if (error instanceof SchemaError) return true;
  if (error instanceof AbortedError) return true;
  return false;
}
