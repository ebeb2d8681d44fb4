import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AbortedError,
  AuthRejectedError,
  ConnectionError,
  RateLimitedError,
  RequestRejectedError,
  SchemaError,
  ServerError,
  StatusConflictError,
} from '../../src/errors.js';
import {
  backoffDelayMs,
  DEFAULT_RETRY_POLICY,
  isRetryable,
  parseRetryAfter,
  resolveRetryPolicy,
  sleep,
  withRetry,
} from '../../src/pleo/retry.js';

afterEach(() => {
  vi.useRealTimers();
});

const policy = resolveRetryPolicy();

describe('backoffDelayMs', () => {
  it('doubles its ceiling per attempt from baseDelayMs', () => {
    const almostOne = () => 0.999_999;
    const delays = [1, 2, 3, 4].map((attempt) => backoffDelayMs(attempt, policy, almostOne));

    expect(delays).toEqual([249, 499, 999, 1_999]);
  });

  it('never exceeds maxDelayMs', () => {
    expect(backoffDelayMs(30, policy, () => 0.999_999)).toBe(9_999);
  });

  it('draws the whole range down to zero (full jitter)', () => {
    expect(backoffDelayMs(3, policy, () => 0)).toBe(0);
    expect(backoffDelayMs(3, policy, () => 0.5)).toBe(500);
  });

  it('stays within [0, ceiling) for any attempt and any random value', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 60 }),
        fc.double({ min: -1, max: 2, noNaN: true }),
        (attempt, draw) => {
          const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
          const delay = backoffDelayMs(attempt, policy, () => draw);
          return delay >= 0 && delay <= ceiling && Number.isInteger(delay);
        },
      ),
    );
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-30T09:00:00Z');

  it.each([
    ['120', 120_000],
    ['0', 0],
    [' 5 ', 5_000],
    ['Mon, 30 Nov 2026 09:00:30 GMT', 30_000],
    ['Mon, 30 Nov 2026 08:59:00 GMT', 0],
  ])('reads %j as %i ms', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });

  it.each([undefined, '', '-3', '1.5', '2026-11-30T09:00:30Z', 'soon', 'Mon, 99 Foo 2026 GMT'])(
    'returns undefined for %j',
    (value) => {
      expect(parseRetryAfter(value, now)).toBeUndefined();
    },
  );

  it('reads the first of repeated headers', () => {
    expect(parseRetryAfter(['7', '9'], now)).toBe(7_000);
  });
});

describe('isRetryable', () => {
  it.each([
    ['a server error', new ServerError('x', { status: 503 })],
    ['a rate limit', new RateLimitedError('x', { status: 429 })],
    ['a connection error', new ConnectionError('x', { mayHaveReachedServer: true })],
    ['a 408 by status', new RequestRejectedError('x', { status: 408 })],
  ])('retries %s', (_, error) => {
    expect(isRetryable(error, policy)).toBe(true);
  });

  it.each([
    ['an auth rejection', new AuthRejectedError('x', { status: 401 })],
    ['a status conflict', new StatusConflictError('x', { status: 409 })],
    ['a 400', new RequestRejectedError('x', { status: 400 })],
    ['a schema error', new SchemaError('x', { status: 200 })],
    ['an abort', new AbortedError()],
    ['a foreign error', new Error('boom')],
  ])('does not retry %s', (_, error) => {
    expect(isRetryable(error, policy)).toBe(false);
  });

  it('never retries auth failures, even when a policy lists their status', () => {
    const lax = resolveRetryPolicy({ retryStatuses: [401, 409] });

    expect(isRetryable(new AuthRejectedError('x', { status: 401 }), lax)).toBe(false);
    expect(isRetryable(new StatusConflictError('x', { status: 409 }), lax)).toBe(false);
  });
});

describe('resolveRetryPolicy', () => {
  it('fills what is not given with the defaults', () => {
    const expected = { ...DEFAULT_RETRY_POLICY, maxAttempts: 2 };
    expect(resolveRetryPolicy({ maxAttempts: 2 })).toEqual(expected);
  });

  it('copies the lists so changing one policy leaves the defaults alone', () => {
    resolveRetryPolicy().retryStatuses.push(418);

    expect(DEFAULT_RETRY_POLICY.retryStatuses).not.toContain(418);
  });

  it.each([{ maxAttempts: 0 }, { maxAttempts: 2.5 }, { baseDelayMs: -1 }, { maxDelayMs: NaN }])(
    'rejects %j',
    (bad) => {
      expect(() => resolveRetryPolicy(bad)).toThrow(/retry\./);
    },
  );
});

describe('sleep', () => {
  it('resolves after the given time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let done = false;
    const waiting = sleep(1_000).then(() => {
      done = true;
    });

    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('rejects with an AbortedError as soon as the signal aborts', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const controller = new AbortController();
    const waiting = sleep(60_000, controller.signal);

    controller.abort();

    await expect(waiting).rejects.toBeInstanceOf(AbortedError);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once when the signal is already aborted', async () => {
    await expect(sleep(60_000, AbortSignal.abort())).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('withRetry', () => {
  const fast = resolveRetryPolicy({ baseDelayMs: 0, maxDelayMs: 0 });
  const random = () => 0;

  it('throws the last error once the attempts run out', async () => {
    const attempts: number[] = [];
    const run = async (attempt: number) => {
      attempts.push(attempt);
      throw new ServerError(`attempt ${attempt}`, { attempt });
    };

    await expect(withRetry(run, { policy: fast, random })).rejects.toThrow('attempt 4');
    expect(attempts).toEqual([1, 2, 3, 4]);
  });

  it('does not retry what canRetry refuses', async () => {
    let attempts = 0;
    const run = async () => {
      attempts += 1;
      throw new ServerError('down');
    };

    const options = { policy: fast, random, canRetry: () => false };
    await expect(withRetry(run, options)).rejects.toThrow('down');
    expect(attempts).toBe(1);
  });

  it('waits the larger of the backoff and Retry-After', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const delays: number[] = [];
    const run = async (attempt: number) => {
      if (attempt === 1) throw new RateLimitedError('slow down', { retryAfterMs: 1_500 });
      return 'ok';
    };

    const result = withRetry(run, {
      policy,
      random: () => 0.999,
      onRetry: (notice) => delays.push(notice.delayMs),
    });
    await vi.advanceTimersByTimeAsync(1_500);

    await expect(result).resolves.toBe('ok');
    expect(delays).toEqual([1_500]);
  });
});
