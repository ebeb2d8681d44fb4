/**
 * What an orchestrator must remember across restarts, and the interface of
 * the store that keeps it. Deliberately a small domain record, not an XState
 * snapshot: restoring a snapshot taken mid-claim would send the claim again.
 */
import { z } from 'zod';
import { JobOutcomeSchema } from '../outcome.js';


export const StoredStateSchema = z.object({
  version: z.literal(1),
  /** The job this orchestrator claimed and has not yet reported. */
  heldJob: z
    .object({
      id: z.string(),
      companyId: z.string().optional(),
      createdAt: z.string(),
      since: z.number(),
      outcome: JobOutcomeSchema.optional(),
    })
    .nullable(),
  /** Written before a `started` is sent; cleared when its answer is known. */
  claimIntent: z.object({ jobId: z.string(), at: z.number() }).nullable(),
  /** Jobs whose `started` may have been applied without our knowing. */
  unknownClaimIds: z.array(z.string()),
  updatedAt: z.number(),
});
export type StoredState = z.infer<typeof StoredStateSchema>;

export function emptyState(): StoredState {
  return { version: 1, heldJob: null, claimIntent: null, unknownClaimIds: [], updatedAt: 0 };
}

/**
 * Durable storage for one orchestrator's {@link StoredState}, keyed by
 * company. `save` must not resolve before the record is durable.
 */
export interface StateStore {
  load(key: string): Promise<StoredState | null>;
  save(key: string, state: StoredState): Promise<void>;
}

/** Keeps state in memory: for tests and hosts that accept losing it on restart. */
export class MemoryStateStore implements StateStore {
  readonly #records = new Map<string, StoredState>();

  async load(key: string): Promise<StoredState | null> {
    const record = this.#records.get(key);
    return record ? structuredClone(record) : null;
  }

  async save(key: string, state: StoredState): Promise<void> {
    this.#records.set(key, structuredClone(state));
  }
}
