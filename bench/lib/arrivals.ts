/**
 * When jobs appear: "a user presses Export". Either a busy company (a
 * Poisson stream) or a quiet one (each press more than a second after the
 * last), generated from a seed so every scenario faces the same presses.
 */
import { exponentialGap, seededRandom } from './stats.js';

export type ArrivalPattern =
  | { kind: 'busy'; jobs: number; meanGapMs: number }
  | { kind: 'sparse'; jobs: number; minGapMs: number; maxGapMs: number };

/** Offsets from the start, in ms, one per job. */
export function arrivalTimes(pattern: ArrivalPattern, seed = 42): number[] {
  const random = seededRandom(seed);
  const times: number[] = [];
  let at = 0;
  for (let i = 0; i < pattern.jobs; i++) {
    at += pattern.kind === 'busy'
      ? exponentialGap(random, pattern.meanGapMs)
      : pattern.minGapMs + random() * (pattern.maxGapMs - pattern.minGapMs);
    times.push(at);
  }
  return times;
}

export function describeArrivals(pattern: ArrivalPattern): string {
  return pattern.kind === 'busy'
    ? `busy: Poisson, mean gap ${pattern.meanGapMs} ms`
    : `quiet: gaps ${pattern.minGapMs}–${pattern.maxGapMs} ms`;
}

/** Calls `create()` at each offset after now; absolute times, so no drift. */
export async function replayArrivals(
  offsets: readonly number[],
  create: () => void,
): Promise<void> {
  const start = performance.now();
  for (const offset of offsets) {
    const wait = start + offset - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    create();
  }
}
