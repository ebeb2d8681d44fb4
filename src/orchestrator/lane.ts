/**
 * One company's lane as the orchestrator sees it: the lane's actor, its
 * client, and the durable record mirrored from its context into the store.
 */
import type { ActorRefFrom } from 'xstate';
import type { Logger } from 'pino';
import type { exportJobMachine } from '../../machines/export-job.machine.js';
import type { HeldJob, MachineContext } from '../../machines/types.js';
import { JobOutcomeSchema } from '../outcome.js';
import { ConfigError } from '../errors.js';
import type { ListJobsResult, PleoClient } from '../pleo/client.js';
import { emptyState, type StateStore, type StoredState } from '../persistence/state-store.js';
import { logLifecycleEvent } from './log-events.js';
import { statusOf } from './status.js';
import type { JobOutcome, OrchestratorEvent, OrchestratorStatus } from './types.js';

export type LaneRef = ActorRefFrom<typeof exportJobMachine>;
type LaneSnapshot = ReturnType<LaneRef['getSnapshot']>;

export interface LaneSettings {
  key: string;
  companyId: string | undefined;
  client: PleoClient;
  store: StateStore;
  logger: Logger;
  emit: (event: OrchestratorEvent) => void;
}

export class Lane {
  readonly key: string;
  readonly companyId: string | undefined;
  readonly client: PleoClient;
  readonly logger: Logger;
  readonly #store: StateStore;
  readonly #emit: (event: OrchestratorEvent) => void;
  #ref: LaneRef | undefined;
  #saved: StoredState = emptyState();
  #writes: Promise<void> = Promise.resolve();
  #writeError: unknown;
  #offered: ListJobsResult | undefined;
  #lastContext: MachineContext | undefined;

  constructor(settings: LaneSettings) {
    this.key = settings.key;
    this.companyId = settings.companyId;
    this.client = settings.client;
    this.logger = settings.logger;
    this.#store = settings.store;
    this.#emit = settings.emit;
  }

  /** Reads the persisted record; unknown claims include an unresolved intent. */
  async load(): Promise<StoredState> {
    this.#saved = (await this.#store.load(this.key)) ?? emptyState();
    return this.#saved;
  }

  /** Binds the lane's running actor: mirror its state, forward its events. */
  attach(ref: LaneRef): void {
    this.#ref = ref;
    ref.on('*', (event) => {
      const companyId = this.companyId ?? this.#companyOfJob(event);
      const logger = this.companyId || !companyId ? this.logger : this.logger.child({ companyId });
      logLifecycleEvent(logger, event);
      this.#emit({ ...event, companyId, at: Date.now() });
    });
    ref.subscribe({
      next: (snapshot) => this.#persist(snapshot.context),
      error: (error) => this.logger.error({ err: error }, 'lane actor failed'),
    });
    this.#persist(ref.getSnapshot().context);
  }

  get ref(): LaneRef | undefined {
    return this.#ref;
  }

  get active(): boolean {
    return this.#ref?.getSnapshot().status === 'active';
  }

  /** Idle or waiting out the detection gap: not in the middle of a cycle. */
  get resting(): boolean {
    const snapshot = this.#ref?.getSnapshot();
    return snapshot?.matches('idle') === true || snapshot?.matches('cooldown') === true;
  }

  /** Able to act on a trigger: running and not stopped by a fatal error. */
  get accepting(): boolean {
    const snapshot = this.#ref?.getSnapshot();
    return snapshot?.status === 'active' && !snapshot.matches('fatal');
  }

  status(fallback: MachineContext): OrchestratorStatus {
    const snapshot = this.#ref?.getSnapshot();
    if (!snapshot) return statusOf('idle', fallback, false);
    return statusOf(snapshot.value, snapshot.context, snapshot.status === 'active');
  }

  /** A shared poll's listing, for a detection that starts right now only. */
  offerListing(listing: ListJobsResult | undefined): void {
    this.#offered = listing;
  }

  /** The offered listing, once. */
  takeListing(): ListJobsResult | undefined {
    const listing = this.#offered;
    this.#offered = undefined;
    return listing;
  }

  /** Holds a job, or has claims whose outcome it must learn: polls must wake it. */
  hasOpenWork(): boolean {
    const context = this.#ref?.getSnapshot().context;
    return Boolean(context?.heldJob) || (context?.unknownClaimIds.length ?? 0) > 0;
  }

  /** The full record of a job the lane's last detection saw. */
  lastSeen(jobId: string) {
    return this.#ref?.getSnapshot().context.detected.find((job) => job.id === jobId);
  }

  finish(jobId: string, outcome: JobOutcome): boolean {
    const parsed = JobOutcomeSchema.safeParse(outcome);
    if (!parsed.success) throw new ConfigError(`Invalid outcome for job ${jobId}.`);
    const snapshot = this.#ref?.getSnapshot();
    if (!snapshot?.matches({ claimed: 'awaitingHost' })) return false;
    if (snapshot.context.heldJob?.id !== jobId) return false;
    this.#ref!.send({ type: 'JOB.FINISHED', jobId, outcome: parsed.data });
    return true;
  }

  /**
   * Adopts a job whose claim outcome is unknown. Any other id is refused: a
   * job this orchestrator never tried to claim may be another worker's, and
   * resuming it would export it twice.
   */
  adopt(jobId: string): boolean {
    const snapshot = this.#ref?.getSnapshot();
    if (!snapshot?.matches('idle') || snapshot.context.heldJob) return false;
    if (!snapshot.context.unknownClaimIds.includes(jobId)) return false;
    this.#ref!.send({ type: 'ADOPT', jobId });
    return true;
  }

  recover(): boolean {
    if (!this.#ref?.getSnapshot().matches('fatal')) return false;
    this.#ref.send({ type: 'RECOVER' });
    return true;
  }

  /** Resolves when the lane rests: idle, no trigger pending; awaiting the host; fatal; done. */
  settled(): Promise<void> {
    const ref = this.#ref;
    if (!ref) return Promise.resolve();
    const resting = (s: LaneSnapshot) =>
      s.status !== 'active' || s.matches('fatal') || s.matches({ claimed: 'awaitingHost' })
      || (s.matches('idle') && !s.context.redetect);
    return new Promise<void>((resolve) => {
      if (resting(ref.getSnapshot())) return resolve();
      const subscription = ref.subscribe((s) => {
        if (!resting(s)) return;
        subscription.unsubscribe();
        resolve();
      });
    }).then(() => this.#writes);
  }

  /** Stops the lane after its current step; false if that took longer than `graceMs`. */
  async stop(graceMs: number): Promise<boolean> {
    const ref = this.#ref;
    if (!ref || ref.getSnapshot().status !== 'active') return true;
    ref.send({ type: 'STOP' });
    const stopped = await waitForDone(ref, graceMs);
    if (!stopped) {
      this.logger.warn({ graceMs }, 'shutdown grace period ended; aborting the running step');
      ref.send({ type: 'STOP', force: true });
    }
    return stopped;
  }

  /** Waits for pending writes; rethrows the first write failure. */
  async flush(): Promise<void> {
    await this.#writes;
    if (this.#writeError) throw this.#writeError;
  }

  /** Durably records that a `started` is about to be sent for `jobId`. */
  recordClaimIntent(jobId: string): Promise<void> {
    return this.#save({ ...this.#saved, claimIntent: { jobId, at: Date.now() } });
  }

  /** Durably records that this lane holds `job` (claimed or resumed). */
  recordHold(job: HeldJob): Promise<void> {
    if (sameState({ ...this.#saved, heldJob: job, claimIntent: null }, this.#saved)) {
      return this.#writes;
    }
    return this.#save({ ...this.#saved, heldJob: job, claimIntent: null });
  }

  /** Mirrors the durable part of the context into the store when it changes. */
  #persist(context: MachineContext): void {
    // Most snapshots change nothing durable; the context keeps these objects
    // by identity until they change, so compare those before anything else.
    if (
      context === this.#lastContext
      || (this.#lastContext
        && context.heldJob === this.#lastContext.heldJob
        && context.claimIntent === this.#lastContext.claimIntent
        && context.unknownClaimIds === this.#lastContext.unknownClaimIds)
    ) {
      return;
    }
    this.#lastContext = context;
    const next: StoredState = {
      version: 1,
      heldJob: context.heldJob,
      claimIntent: context.claimIntent
        ? { jobId: context.claimIntent, at: this.#saved.claimIntent?.at ?? Date.now() }
        : null,
      unknownClaimIds: context.unknownClaimIds,
      updatedAt: 0,
    };
    if (sameState(next, this.#saved)) return;
    void this.#save(next).catch(() => undefined);
  }

  /** Queues a write after the ones before it; resolves when this one is durable. */
  #save(state: StoredState): Promise<void> {
    const record = { ...state, updatedAt: Date.now() };
    this.#saved = record;
    const write = this.#writes.then(() => this.#store.save(this.key, record));
    // Only the latest write's fate matters: a later success makes the
    // record durable again, so an earlier failure no longer fails `flush`.
    this.#writes = write.then(
      () => {
        this.#writeError = undefined;
      },
      (error: unknown) => {
        this.#writeError = error;
        this.logger.error({ err: error }, 'could not persist orchestrator state');
      },
    );
    return write;
  }

  /** With organisation-wide credentials, the company comes from the job itself. */
  #companyOfJob(event: { type: string; jobId?: string }): string | undefined {
    if (!event.jobId || !this.#ref) return undefined;
    const context = this.#ref.getSnapshot().context;
    if (context.heldJob?.id === event.jobId) return context.heldJob.companyId;
    return context.detected.find((job) => job.id === event.jobId)?.companyId;
  }
}

function sameState(a: StoredState, b: StoredState): boolean {
  return JSON.stringify({ ...a, updatedAt: 0 }) === JSON.stringify({ ...b, updatedAt: 0 });
}

function waitForDone(ref: LaneRef, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (ref.getSnapshot().status !== 'active') return resolve(true);
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      resolve(false);
    }, timeoutMs);
    const subscription = ref.subscribe({
      next: (snapshot) => {
        if (snapshot.status === 'active') return;
        clearTimeout(timer);
        subscription.unsubscribe();
        resolve(true);
      },
      complete: () => {
        clearTimeout(timer);
        resolve(true);
      },
    });
  });
}
