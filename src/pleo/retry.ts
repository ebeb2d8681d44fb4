/**
 * Retrying as data: which failures are retried, how long to wait between
 * attempts, and the loop that applies both. Only idempotent calls use the
 * full policy; see `PleoClient.sendJobEvent` for why POSTs do not.
 */
import {
  AbortedError,
  ConfigError,
  RateLimitedError,
  type ErrorCode,
  type ErrorContext,
  PleoExportError,
} from '../errors.js';

/**
 * When and how often a failed request is tried again.
 *
 * @example
 * const patient: Partial<RetryPolicy> = { maxAttempts: 6, maxDelayMs: 30_000 };
 */
export interface RetryPolicy {
  /** Attempts in all, the first one included. */
  maxAttempts: number;
  /** The backoff ceiling of the first retry; it doubles per attempt. */
  baseDelayMs: number;
  /** No backoff ceiling grows beyond this. */
  maxDelayMs: number;
  /** A `Retry-After` longer than this is not waited for: the error is thrown. */
  maxRetryAfterMs: number;
  /** HTTP statuses that are retried. */
  retryStatuses: number[];
  /** Error codes that are retried, whatever the status. */
  retryCodes: ErrorCode[];
}

/**
 * The defaults: 4 attempts, 250 ms doubling up to 10 s with full jitter,
 * `Retry-After` honoured up to 60 s.
 */
export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze<RetryPolicy>({
  maxAttempts: 4,
  baseDelayMs: 250,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 60_000,
  retryStatuses: [408, 425, 429, 500, 502, 503, 504],
  retryCodes: [
    'PLEO_TIMEOUT',
    'PLEO_CONNECTION',
    'PLEO_SERVER_ERROR',
    'PLEO_RATE_LIMITED',
  ],
});

/**
 * Failures no policy can make retryable: retrying cannot change the answer
 * (credentials, a lost claim, a malformed 2xx) or the caller asked to stop.
 */
const NEVER_RETRIED: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'PLEO_AUTH_REJECTED',
  'PLEO_STATUS_CONFLICT',
  'PLEO_SCHEMA_INVALID',
  'PLEO_CURSOR_STUCK',
  'ABORTED',
  'CONFIG_INVALID',
]);

/**
 * Fills a partial policy with the defaults and checks it.
 *
 * @example
 * resolveRetryPolicy({ maxAttempts: 1 }); // never retry
 */
export function resolveRetryPolicy(partial: Partial<RetryPolicy> = {}): RetryPolicy {
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY_POLICY,
    ...partial,
    retryStatuses: [...(partial.retryStatuses ?? DEFAULT_RETRY_POLICY.retryStatuses)],
    retryCodes: [...(partial.retryCodes ?? DEFAULT_RETRY_POLICY.retryCodes)],
  };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) {
    const got = policy.maxAttempts;
    throw new ConfigError(`retry.maxAttempts must be an integer ≥ 1, got ${got}.`);
  }
  for (const key of ['baseDelayMs', 'maxDelayMs', 'maxRetryAfterMs'] as const) {
    const value = policy[key];
    if (!Number.isFinite(value) || value < 0) {
      throw new ConfigError(`retry.${key} must be a number ≥ 0, got ${value}.`);
    }
  }
  return policy;
}

/**
 * True when the policy retries this failure: its status or its code is
 * listed, and it is not one of the failures that are never retried. A 408
 * or 425 arrives as a `RequestRejectedError` and is retried by status.
 */
export function isRetryable(error: unknown, policy: RetryPolicy): boolean {
  if (!(error instanceof PleoExportError)) return false;
  if (NEVER_RETRIED.has(error.code)) return false;
  const { status, code } = error;
  const byStatus = status !== undefined && policy.retryStatuses.includes(status);
  return byStatus || policy.retryCodes.includes(code);
}

/**
 * The wait before the attempt after `attempt` (1-based): capped exponential
 * backoff with full jitter, a uniform draw in [0, ceiling).
 *
 * @example
 * backoffDelayMs(3, DEFAULT_RETRY_POLICY, Math.random); // somewhere in [0, 1000)
 */
export function backoffDelayMs(
  attempt: number,
  policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>,
  random: () => number,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(ceiling * Math.min(Math.max(random(), 0), 1));
}

/**
 * Reads a `Retry-After` value: delay-seconds or an HTTP date. Returns
 * milliseconds from `nowMs` (never negative), or `undefined` when the header
 * is absent or unreadable.
 *
 * @example
 * parseRetryAfter('120', Date.now()); // 120_000
 * parseRetryAfter('Wed, 21 Oct 2026 07:28:00 GMT', Date.now());
 */
export function parseRetryAfter(
  value: string | readonly string[] | undefined,
  nowMs: number,
): number | undefined {
  const text = (typeof value === 'string' ? value : value?.[0])?.trim();
  if (text === undefined || text === '') return undefined;

  if (/^\d+$/.test(text)) return Number(text) * 1000;

  // Date.parse would accept "1.5" or "2026" as dates; an HTTP date has letters.
  if (!/^[A-Za-z]{3},/.test(text)) return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/**
 * Waits `ms`, or rejects with an {@link AbortedError} as soon as `signal`
 * aborts. Uses the global `setTimeout`, so fake timers drive it in tests.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  const aborted = (): AbortedError =>
    new AbortedError('The wait before a retry was aborted.', { cause: signal?.reason });

  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(aborted());
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(aborted());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** What {@link withRetry} reports before each wait. */
export interface RetryNotice {
  attempt: number;
  maxAttempts: number;
  delayMs: number;
  error: PleoExportError;
}

export interface RetryOptions {
  policy: RetryPolicy;
  random: () => number;
  signal?: AbortSignal | undefined;
  /** Narrows the policy for one call (a POST retries far less). */
  canRetry?: (error: unknown) => boolean;
  onRetry?: (notice: RetryNotice) => void;
}

/**
 * Runs `run` until it resolves, a failure is not retryable, or the
 * attempts run out; the last failure is thrown as it came. An abort during
 * a wait throws an `AbortedError` that says which attempt it followed.
 *
 * @example
 * const job = await withRetry((n) => fetchJob(n), { policy, random: Math.random });
 */
export async function withRetry<T>(
  run: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const { policy, random, signal } = options;
  const canRetry = options.canRetry ?? ((error: unknown) => isRetryable(error, policy));

  for (let attempt = 1; ; attempt += 1) {
    try {
      return await run(attempt);
    } catch (error: unknown) {
      const last = attempt >= policy.maxAttempts;
      if (last || !(error instanceof PleoExportError) || !canRetry(error)) throw error;

      const delayMs = retryDelayMs(error, attempt, options);
      if (delayMs === undefined) throw error;

      options.onRetry?.({ attempt, maxAttempts: policy.maxAttempts, delayMs, error });
      await sleep(delayMs, signal).catch((aborted: unknown) => {
        // Keep where the call stood (method, path, attempt), not only "aborted".
        const message = `Aborted while waiting to retry after attempt ${attempt}.`;
        throw new AbortedError(message, { ...contextOf(error), cause: aborted });
      });
    }
  }
}

function contextOf(error: PleoExportError): ErrorContext {
  const { jobId, companyId, method, path, attempt } = error;
  return { jobId, companyId, method, path, attempt };
}

/** The wait before the next attempt, or `undefined` when it is too long. */
function retryDelayMs(
  error: PleoExportError,
  attempt: number,
  { policy, random }: RetryOptions,
): number | undefined {
  const backoff = backoffDelayMs(attempt, policy, random);
  const asked = error instanceof RateLimitedError ? error.retryAfterMs : undefined;
  if (asked === undefined) return backoff;

  // Waiting minutes inside one request would hide the limit from the
  // caller's machine, which can back off as a whole and stay responsive.
  if (asked > policy.maxRetryAfterMs) return undefined;
  return Math.max(backoff, asked);
}
