/**
 * What the scale benchmark's parent and child agree on: company ids, the
 * token of each company, and the shape of one measurement.
 */

/** `org`: one organisation token for all; `tokens`: a company-bound token each. */
export type ScaleMode = 'org' | 'tokens';

export const companyIds = (size: number): string[] =>
  Array.from({ length: size }, (_, i) => `company-${String(i).padStart(5, '0')}`);

/** Sampling interval of the event-loop delay histogram, in ms. */
export const ELD_RESOLUTION_MS = 2;

export const tokenOf = (companyId: string): string => `tok-${companyId}`;

export interface ScaleBase {
  size: number;
  mode: ScaleMode;
  windowMs: number;
}

export interface ScaleSample extends ScaleBase, MemorySample, TicksSample {}

/** What one child prints: the fields of its phase. */
export type ScalePhase = ScaleBase & (MemorySample | TicksSample);

export interface MemorySample {
  /** `start()` resolved (every lane added), and every lane rested after its first detection. */
  startMs: number;
  settleMs: number;
  /** Heap after GC with N idle companies, minus before. */
  heapBytes: number;
  rss: number;
}

export interface TicksSample {
  /** Event-loop delay while a one-second cron ticks for every company. */
  eldP50Ms: number;
  eldP99Ms: number;
  eldMaxMs: number;
  detections: number;
  requests: number;
  /** Heap (no GC) at the end of the ticking window. */
  heapTicking: number;
}
