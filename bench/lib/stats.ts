/**
 * Small numeric helpers for the benchmarks: percentiles by nearest rank
 * (no interpolation, so a reported p99 is a value that really occurred) and
 * a seeded random source, so two runs face the same workload.
 */

/** The value at or below which `p` percent of `values` fall (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface Summary {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  const sum = values.reduce((total, value) => total + value, 0);
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    p99: percentile(values, 99),
    max: values.length === 0 ? Number.NaN : Math.max(...values),
    mean: values.length === 0 ? Number.NaN : sum / values.length,
  };
}

/**
 * A seeded generator of numbers in [0, 1): a 32-bit xorshift. Statistical
 * quality hardly matters here; being the same on every run does.
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9;
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32;
  };
}

/** Gaps of a Poisson arrival process with the given mean, in ms. */
export function exponentialGap(random: () => number, meanMs: number): number {
  return -Math.log(1 - random()) * meanMs;
}

/** Milliseconds with one decimal, or whole ones above 100. */
export function ms(value: number): string {
  if (!Number.isFinite(value)) return 'n/a';
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}

export function fixed(value: number, digits = 2): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

/** Thousands separated with a thin comma, e.g. 10,000. */
export function count(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a';
}
