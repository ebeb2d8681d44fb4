/**
 * Remembers recently seen webhook ids so that a redelivery costs nothing.
 * Memory is bounded twice: by a count (oldest dropped first) and by age.
 */
import { ConfigError } from '../errors.js';

export interface DedupeOptions {
  /** Most ids remembered at once; the oldest is forgotten first. Default 10 000. */
  maxEntries?: number;
  /** How long an id is remembered, in milliseconds. Default 24 hours. */
  ttlMs?: number;
}

export const DEFAULT_DEDUPE = { maxEntries: 10_000, ttlMs: 24 * 60 * 60_000 } as const;

/**
 * A set of ids with a size cap and a time to live, in insertion order.
 *
 * Every id lives for the same `ttlMs`, so insertion order is also expiry
 * order: pruning only ever looks at the front of the map.
 *
 * @example
 * const seen = new DedupeCache({ maxEntries: 1_000, ttlMs: 60_000 });
 * if (!seen.has(id, Date.now())) seen.add(id, Date.now());
 */
export class DedupeCache {
  readonly maxEntries: number;
  readonly ttlMs: number;
  /** id → the instant (ms) it stops counting as seen. */
  readonly #expiries = new Map<string, number>();

  constructor(options: DedupeOptions = {}) {
    this.maxEntries = options.maxEntries ?? DEFAULT_DEDUPE.maxEntries;
    this.ttlMs = options.ttlMs ?? DEFAULT_DEDUPE.ttlMs;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new ConfigError(
        `dedupe.maxEntries must be a positive integer, got ${String(this.maxEntries)}.`,
      );
    }
    if (!Number.isFinite(this.ttlMs) || this.ttlMs <= 0) {
      throw new ConfigError(`dedupe.ttlMs must be a positive number, got ${String(this.ttlMs)}.`);
    }
  }

  get size(): number {
    return this.#expiries.size;
  }

  /** True when `id` was added less than `ttlMs` before `nowMs` and not evicted since. */
  has(id: string, nowMs: number): boolean {
    const expiry = this.#expiries.get(id);
    return expiry !== undefined && expiry > nowMs;
  }

  /** Remembers `id` from `nowMs` on; adding it again restarts its time. */
  add(id: string, nowMs: number): void {
    // Deleting first moves the id to the back, keeping the order by expiry.
    this.#expiries.delete(id);
    this.#expiries.set(id, nowMs + this.ttlMs);
    this.#prune(nowMs);
  }

  #prune(nowMs: number): void {
    for (const [id, expiry] of this.#expiries) {
      if (expiry > nowMs && this.#expiries.size <= this.maxEntries) break;
      this.#expiries.delete(id);
    }
  }
}
