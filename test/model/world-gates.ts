/**
 * The host-side parts of the world: a state store, the pre-checks and the
 * processor. Each one waits on a hold and then does what the path's move
 * says: pass, fail, throw, or (for the store) fail to write.
 */
import type { HeldJob } from '../../machines/types.js';
import type { PreCheck, Processor } from '../../src/orchestrator/types.js';
import {
  emptyState,
  type StateStore,
  type StoredState,
} from '../../src/persistence/state-store.js';
import type { Move } from './moves.js';

/** How the world waits: a hold in the current state that resolves to the move. */
export type Gate = (kind: string) => Promise<Move | undefined>;

export class WorldStore implements StateStore {
  readonly #gate: Gate;
  readonly #initial: StoredState;
  #hadIntent = false;
  /** Once an intent write failed, the disk stays full for the rest of the step. */
  failing = false;

  constructor(gate: Gate, persisted: { hold: HeldJob | null; intent: string | null }) {
    this.#gate = gate;
    this.#initial = {
      ...emptyState(),
      heldJob: persisted.hold,
      claimIntent: persisted.intent ? { jobId: persisted.intent, at: 0 } : null,
    };
  }

  async load(): Promise<StoredState | null> {
    return structuredClone(this.#initial);
  }

  async save(_key: string, state: StoredState): Promise<void> {
    const isNewIntent = state.claimIntent !== null && !this.#hadIntent;
    this.#hadIntent = state.claimIntent !== null;
    if (state.claimIntent && this.failing) throw new Error('disk full');
    if (!isNewIntent) return;
    const move = await this.#gate('intent');
    if (move === 'intent:fails') {
      this.failing = true;
      throw new Error('disk full');
    }
  }
}

export interface HostRecord {
  /** Jobs handed to the processor, with the job the orchestrator held then. */
  processed: Array<{ jobId: string; heldJobId: string | null }>;
  /** Each pre-check run: the job and how it ended. */
  preChecked: Array<{ jobId: string; move: Move | undefined }>;
}

export function createHost(gate: Gate, heldJobId: () => string | null) {
  const record: HostRecord = { processed: [], preChecked: [] };
  let crashNext = false;

  const check: PreCheck = {
    name: 'world',
    check: async (job) => {
      const move = await gate('precheck');
      record.preChecked.push({ jobId: job.id, move });
      if (move === 'precheck:fails') return { ok: false, reason: 'ERP answered 503' };
      if (move === 'precheck:throws') throw new Error('boom');
      crashNext = move === 'precheck:crashes';
      return true;
    },
  };
  // runPreChecks catches whatever a check throws; only reading a check's
  // name happens outside that catch, so a name that cannot be read is the
  // one way a host can make the pre-check actor itself fail.
  const sanity = Object.defineProperty(() => true, 'name', {
    get: () => {
      if (!crashNext) return 'sanity';
      crashNext = false;
      throw new Error('the pre-check list is corrupt');
    },
  });

  const processor: Processor = async (job) => {
    record.processed.push({ jobId: job.id, heldJobId: heldJobId() });
    const move = await gate('process');
    if (move === 'process:throws') throw new Error('ERP down');
    return { status: 'completed' };
  };

  return { record, preChecks: [check, sanity] satisfies PreCheck[], processor };
}
