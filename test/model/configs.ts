/**
 * The orchestrator set-ups the model is traversed under. Some transitions
 * only exist in one of them (`awaitingHost` needs a host without a
 * processor, waiting on a foreign job needs `exclusive`, reporting an
 * outcome left from a previous run needs a restart), so each set-up is a
 * machine input and a matching orchestrator configuration.
 */
import type { HeldJob, MachineInput } from '../../machines/types.js';
import { COMPANY_ID, OLDEST } from './world-jobs.js';

export interface ModelConfig {
  name: string;
  input: MachineInput;
  /** True: the orchestrator gets a processor; false: the host calls `finish()`. */
  processor: boolean;
  exclusive: boolean;
  /** The company's only worker: a claim of unknown outcome that is in progress is ours. */
  soleWorker: boolean;
  /** Least gap between trigger-driven detections; an hour keeps every later trigger waiting. */
  minDetectionGapMs: number;
  /** How long a listing may serve the next job of a drain; 0 lists again after each job. */
  listingReuseMs: number;
  /** What the store holds when the orchestrator starts (a previous run's hold). */
  persistedHold: HeldJob | null;
  /** A claim intent left by a run that ended between recording it and knowing the answer. */
  persistedIntent: string | null;
}

const restartedHold: HeldJob = {
  id: OLDEST.id,
  companyId: COMPANY_ID,
  createdAt: OLDEST.createdAt,
  since: 0,
  outcome: { status: 'completed' },
};

/**
 * Longer than any path lasts on the fake clock, so "detected recently" and
 * "the listing is fresh" never flip mid-path (both are the options' maximum).
 */
export const LONG_GAP_MS = 600_000;
/** Lost claim races stay excluded for the whole path, even across fake-clock jumps. */
export const EXCLUSION_MS = 24 * 60 * 60_000;

function config(name: string, settings: Omit<ModelConfig, 'name' | 'input'>): ModelConfig {
  const { processor, exclusive, soleWorker, minDetectionGapMs, listingReuseMs } = settings;
  return {
    name,
    ...settings,
    // Every input the orchestrator passes, so none falls back to a machine default.
    input: {
      companyId: COMPANY_ID,
      exclusive,
      soleWorker,
      hasProcessor: processor,
      minDetectionGapMs,
      listingReuseMs,
      conflictExclusionMs: EXCLUSION_MS,
      heldJob: settings.persistedHold,
      // What the orchestrator makes of a persisted intent: a claim to learn the fate of.
      unknownClaimIds: settings.persistedIntent ? [settings.persistedIntent] : [],
    },
  };
}

const defaults: Omit<ModelConfig, 'name' | 'input'> = {
  processor: true,
  exclusive: false,
  soleWorker: false,
  minDetectionGapMs: 0,
  listingReuseMs: 0,
  persistedHold: null,
  persistedIntent: null,
};

export const MODEL_CONFIGS: readonly ModelConfig[] = [
  config('processor, listing reused', {
    ...defaults, listingReuseMs: LONG_GAP_MS,
  }),
  config('host finishes, exclusive, detection gap', {
    ...defaults, processor: false, exclusive: true, minDetectionGapMs: LONG_GAP_MS,
  }),
  config('restart with an unreported outcome', {
    ...defaults, persistedHold: restartedHold,
  }),
  config('restart after a crash mid-claim, sole worker', {
    ...defaults, soleWorker: true, persistedIntent: OLDEST.id,
  }),
];
