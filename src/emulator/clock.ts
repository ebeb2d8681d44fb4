/**
 * The emulator's clock. Job timestamps and expiry read it, so tests can move
 * time forward instead of waiting. Webhook signatures do not: receivers check
 * `webhook-timestamp` against their own wall clock.
 */

/** Where the emulator's time comes from: epoch milliseconds or a Date. */
export type TimeSource = () => number | Date;

export interface Clock {
  /** Epoch milliseconds: the source's time plus every advance so far. */
  now(): number;
  /** The current time as an ISO 8601 string in UTC with milliseconds. */
  iso(): string;
  advance(ms: number): void;
  /** Drops every advance, back to the source's own time. */
  reset(): void;
}

export function createClock(source: TimeSource = Date.now): Clock {
  let offsetMs = 0;

  const now = (): number => {
    const base = source();
    return (typeof base === 'number' ? base : base.getTime()) + offsetMs;
  };

  return {
    now,
    iso: () => new Date(now()).toISOString(),
    advance: (ms) => {
      if (!Number.isFinite(ms) || ms < 0) {
        const message = `advanceClock needs a finite, non-negative number; got ${ms}.`;
        throw new RangeError(message);
      }
      offsetMs += ms;
    },
    reset: () => {
      offsetMs = 0;
    },
  };
}
