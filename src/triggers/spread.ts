/**
 * Spreads one schedule tick over many lanes: each lane's poll fires at its
 * own fixed offset within a window, so a thousand companies do not all list
 * their jobs in the same second (Pleo rate-limits the integration as a whole).
 */

/** A stable fraction in [0, 1) for a key (FNV-1a), so offsets survive restarts. */
export function offsetFraction(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) / 2 ** 32;
}

/**
 * Fires `fire(key)` for every key over `windowMs`, ordered by offset, with a
 * single timer however many keys there are. A new spread cancels the old.
 */
export class Spreader {
  #timer: NodeJS.Timeout | undefined;
  #queue: Array<{ at: number; key: string }> = [];
  /** The next entry of `#queue` to fire. */
  #index = 0;
  readonly #fire: (key: string) => void;

  constructor(fire: (key: string) => void) {
    this.#fire = fire;
  }

  spread(keys: Iterable<string>, windowMs: number): void {
    const start = Date.now();
    const next = [...keys]
      .map((key) => ({ at: start + Math.floor(offsetFraction(key) * windowMs), key }))
      .sort((a, b) => a.at - b.at);
    // Keys still waiting from the last tick fire now rather than be lost.
    for (let i = this.#index; i < this.#queue.length; i++) this.#fire(this.#queue[i]!.key);
    this.#queue = next;
    this.#index = 0;
    this.#arm();
  }

  stop(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    this.#index = 0;
  }

  #arm(): void {
    clearTimeout(this.#timer);
    const first = this.#queue[this.#index];
    if (!first) return;
    this.#timer = setTimeout(() => this.#drainDue(), Math.max(0, first.at - Date.now()));
  }

  #drainDue(): void {
    const now = Date.now();
    while (this.#index < this.#queue.length && this.#queue[this.#index]!.at <= now) {
      this.#fire(this.#queue[this.#index++]!.key);
    }
    this.#arm();
  }
}
