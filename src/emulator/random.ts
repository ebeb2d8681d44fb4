/**
 * Seeded randomness for the emulator. Every random choice it makes (fault
 * dice, latency, ids, accounting data, webhook duplication) comes from here,
 * so a failing test can be replayed with the same `seed`.
 */

/** A deterministic source of random values. */
export interface Random {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability `p` (0 never, 1 always). */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A new array with the items in a random order. */
  shuffle<T>(items: readonly T[]): T[];
  /** A random RFC 9562 version 4 UUID. */
  uuid(): string;
  /** `length` random lowercase hex digits. */
  hex(length: number): string;
}

/** FNV-1a over the parts, so a seed and a label give an independent stream. */
export function hashSeed(...parts: Array<string | number>): number {
  let hash = 0x811c9dc5;
  for (const char of parts.join('\u0000')) {
    hash ^= char.codePointAt(0) ?? 0;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * A 32-bit generator of the "add a Weyl constant, then mix" family. It is not
 * cryptographic; it only has to be fast, well spread and replayable.
 */
export function createRandom(seed: number | string): Random {
  let state = typeof seed === 'number' ? seed >>> 0 : hashSeed(seed);

  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = Math.imul(state ^ (state >>> 15), state | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 0x1_0000_0000;
  };

  const int = (min: number, max: number): number =>
    min + Math.floor(next() * (max - min + 1));

  const hex = (length: number): string => {
    let text = '';
    for (let i = 0; i < length; i++) text += int(0, 15).toString(16);
    return text;
  };

  return {
    next,
    int,
    hex,
    chance: (p) => p >= 1 || (p > 0 && next() < p),
    pick: (items) => {
      const item = items[int(0, items.length - 1)];
      if (item === undefined) throw new Error('Cannot pick from an empty list.');
      return item;
    },
    shuffle: <T>(items: readonly T[]): T[] => {
      const copy = [...items];
      for (let i = copy.length - 1; i > 0; i--) {
        const j = int(0, i);
        const held = copy[i] as T;
        copy[i] = copy[j] as T;
        copy[j] = held;
      }
      return copy;
    },
    uuid: () => {
      const digits = hex(32).split('');
      digits[12] = '4';
      digits[16] = (8 + int(0, 3)).toString(16);
      const text = digits.join('');
      return [
        text.slice(0, 8),
        text.slice(8, 12),
        text.slice(12, 16),
        text.slice(16, 20),
        text.slice(20),
      ].join('-');
    },
  };
}
