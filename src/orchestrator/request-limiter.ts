/**
 * A process-wide budget of concurrent requests to Pleo, shared by every
 * company's lane. Waiting lanes are served round-robin, so one company's
 * backlog cannot starve another's; a 429 pauses everyone, since Pleo's rate
 * limit applies to the integration as a whole.
 */
import { AbortedError } from '../errors.js';
import type { RequestGate } from '../pleo/request-gate.js';

interface Waiter {
  grant: (release: () => void) => void;
  fail: (error: unknown) => void;
}

export interface RequestLimiterOptions {
  /** Requests in flight at once across the process. Default 8. */
  maxConcurrent?: number;
  /** Pause after a 429 without `Retry-After`. Default 1 000 ms. */
  defaultPauseMs?: number;
  /** Longest pause a `Retry-After` can impose. Default 60 000 ms. */
  maxPauseMs?: number;
}

export class RequestLimiter implements RequestGate {
  readonly maxConcurrent: number;
  readonly #defaultPauseMs: number;
  readonly #maxPauseMs: number;
  /** Waiting requests per lane; Map order is the round-robin order. */
  readonly #queues = new Map<string, Waiter[]>();
  #inFlight = 0;
  #peak = 0;
  #pausedUntil = 0;
  #pauseTimer: NodeJS.Timeout | undefined;

  constructor(options: RequestLimiterOptions = {}) {
    this.maxConcurrent = options.maxConcurrent ?? 8;
    this.#defaultPauseMs = options.defaultPauseMs ?? 1_000;
    this.#maxPauseMs = options.maxPauseMs ?? 60_000;
  }

  /** Requests in flight now, and the most there ever were at once. */
  get stats() {
    return { inFlight: this.#inFlight, peak: this.#peak, waiting: this.#waiting() };
  }

  acquire(lane: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(new AbortedError());
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
        fail: reject,
      };
      const onAbort = () => {
        const queue = this.#queues.get(lane);
        const index = queue?.indexOf(waiter) ?? -1;
        if (queue && index >= 0) queue.splice(index, 1);
        if (queue?.length === 0) this.#queues.delete(lane);
        reject(new AbortedError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const queue = this.#queues.get(lane);
      if (queue) queue.push(waiter);
      else this.#queues.set(lane, [waiter]);
      this.#pump();
    });
  }

  slowDown(retryAfterMs: number | undefined): void {
    const pause = Math.min(retryAfterMs ?? this.#defaultPauseMs, this.#maxPauseMs);
    this.#pausedUntil = Math.max(this.#pausedUntil, Date.now() + pause);
  }

  #pump(): void {
    while (this.#inFlight < this.maxConcurrent && this.#queues.size > 0) {
      const wait = this.#pausedUntil - Date.now();
      if (wait > 0) return this.#resumeIn(wait);

      // Take the first lane's first waiter, then move that lane to the back.
      const [lane, queue] = this.#queues.entries().next().value as [string, Waiter[]];
      const waiter = queue.shift()!;
      this.#queues.delete(lane);
      if (queue.length > 0) this.#queues.set(lane, queue);

      this.#inFlight += 1;
      this.#peak = Math.max(this.#peak, this.#inFlight);
      let released = false;
      waiter.grant(() => {
        if (released) return;
        released = true;
        this.#inFlight -= 1;
        this.#pump();
      });
    }
  }

  #resumeIn(ms: number): void {
    if (this.#pauseTimer) return;
    this.#pauseTimer = setTimeout(() => {
      this.#pauseTimer = undefined;
      this.#pump();
    }, ms);
  }

  #waiting(): number {
    let count = 0;
    for (const queue of this.#queues.values()) count += queue.length;
    return count;
  }
}
