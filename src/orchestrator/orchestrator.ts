/**
 * Wires one company's export loop: the machine, the Pleo client, the poll
 * schedule, the state store and the host's pre-checks and processor.
 */
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import type { Logger } from 'pino';
import { initialContext } from '../../machines/actions.js';
import { exportJobMachine, backoffMs } from '../../machines/export-job.machine.js';
import type { MachineContext } from '../../machines/types.js';
import { ConfigError } from '../errors.js';
import { redactingChild, silentLogger } from '../logger.js';
import { createPleoClient, type PleoClient } from '../pleo/client.js';
import { FileStateStore } from '../persistence/file-state-store.js';
import {
  MemoryStateStore,
  emptyState,
  type StateStore,
  type StoredState,
} from '../persistence/state-store.js';
import { startSchedule, type Schedule } from '../triggers/schedule.js';
import { createActors } from './actors.js';
import { logLifecycleEvent } from './log-events.js';
import { JobOutcomeSchema } from '../outcome.js';
import { parseOptions, type OrchestratorOptions, type ResolvedOptions } from './options.js';
import { stateName, statusOf } from './status.js';
import type { JobOutcome, OrchestratorEvent, OrchestratorStatus, TriggerSource } from './types.js';

type MachineActor = Actor<typeof exportJobMachine>;

/**
 * Creates an orchestrator for one company. Nothing runs until `start()`.
 *
 * @example
 * const orchestrator = createExportOrchestrator({
 *   apiUrl: 'https://external.pleo.io',
 *   credentials: { token: process.env.PLEO_API_TOKEN! },
 *   processor: async (job, { client }) => {
 *     // write the job's export items to the accounting system
 *     return { status: 'completed' };
 *   },
 * });
 * await orchestrator.start();
 * orchestrator.trigger(); // the "check now" button
 */
export function createExportOrchestrator(options: OrchestratorOptions): ExportOrchestrator {
  return new ExportOrchestrator(parseOptions(options));
}

export class ExportOrchestrator {
  readonly client: PleoClient;
  readonly #options: ResolvedOptions;
  readonly #logger: Logger;
  readonly #store: StateStore;
  readonly #storeKey: string;
  readonly #listeners = new Set<(event: OrchestratorEvent) => void>();
  #actor: MachineActor | undefined;
  #schedule: Schedule | undefined;
  #saved: StoredState = emptyState();
  #writes: Promise<void> = Promise.resolve();
  #writeError: unknown;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#logger = redactingChild(options.logger ?? silentLogger(), {
      component: 'orchestrator',
      companyId: options.companyId,
    });
    this.client = createPleoClient({
      baseUrl: options.apiUrl,
      credentials: options.credentials,
      requestTimeoutMs: options.requestTimeoutMs,
      pageSize: options.pageSize,
      ...(options.retry ? { retry: options.retry } : {}),
      logger: this.#logger,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    });
    this.#store = options.store
      ?? (options.stateDir ? new FileStateStore(options.stateDir) : new MemoryStateStore());
    this.#storeKey = options.companyId ?? 'default';
  }

  /** Loads the persisted state, starts the machine and the schedule, and detects once. */
  async start(): Promise<void> {
    if (this.#actor) throw new ConfigError('This orchestrator has already been started.');
    const saved = (await this.#store.load(this.#storeKey)) ?? emptyState();
    this.#saved = saved;

    const unknownClaimIds = [...saved.unknownClaimIds];
    if (saved.claimIntent && saved.claimIntent.jobId !== saved.heldJob?.id) {
      // A `started` may have left before the last run ended: learn its fate by
      // reading the job, never by sending it again.
      unknownClaimIds.push(saved.claimIntent.jobId);
    }

    const actor = createActor(this.#provideMachine(), {
      input: {
        companyId: this.#options.companyId,
        exclusive: this.#options.exclusive,
        soleWorker: this.#options.soleWorker,
        hasProcessor: this.#options.processor !== undefined,
        heldJob: saved.heldJob,
        unknownClaimIds,
        conflictExclusionMs: this.#options.conflictExclusionMs,
      },
      inspect: (event) => this.#inspect(event),
    });
    this.#actor = actor;
    actor.on('*', (event) => {
      const companyId = this.#options.companyId ?? this.#companyOfJob(event);
      const logger = this.#options.companyId || !companyId
        ? this.#logger
        : this.#logger.child({ companyId });
      logLifecycleEvent(logger, event);
      const enriched = { ...event, companyId, at: Date.now() };
      for (const listener of this.#listeners) listener(enriched);
    });
    actor.subscribe({
      next: (snapshot) => this.#persist(snapshot.context),
      error: (error) => this.#logger.error({ err: error }, 'orchestrator actor failed'),
    });
    actor.start();
    this.#persist(actor.getSnapshot().context);

    if (this.#options.schedule !== false) {
      this.#schedule = startSchedule(this.#options.schedule, () => this.trigger('schedule'));
    }
    this.#logger.info(
      { schedule: this.#options.schedule, heldJobId: saved.heldJob?.id },
      'orchestrator started',
    );
    if (this.#options.detectOnStart) this.trigger('startup');
  }

  /** Asks for a detection now; during a cycle it is coalesced into one more. */
  trigger(source: TriggerSource = 'manual'): boolean {
    if (!this.#actor || this.#actor.getSnapshot().status !== 'active') return false;
    this.#actor.send({ type: 'TRIGGER', source });
    return true;
  }

  /**
   * Reports the outcome of the held job, for hosts that process outside the
   * orchestrator (no `processor` option). Returns false when `jobId` is not
   * the job awaiting an outcome.
   */
  finish(jobId: string, outcome: JobOutcome): boolean {
    const parsed = JobOutcomeSchema.safeParse(outcome);
    if (!parsed.success) throw new ConfigError(`Invalid outcome for job ${jobId}.`);
    const snapshot = this.#actor?.getSnapshot();
    if (!snapshot?.matches({ claimed: 'awaitingHost' })) return false;
    if (snapshot.context.heldJob?.id !== jobId) return false;
    this.#actor!.send({ type: 'JOB.FINISHED', jobId, outcome: parsed.data });
    return true;
  }

  /**
   * Takes over a job whose claim outcome was unknown. The job is resumed if
   * Pleo shows it `in_progress`; only call this when no other worker can hold it.
   */
  adopt(jobId: string): boolean {
    const snapshot = this.#actor?.getSnapshot();
    if (!snapshot?.matches('idle') || snapshot.context.heldJob) return false;
    this.#actor!.send({ type: 'ADOPT', jobId });
    return true;
  }

  status(): OrchestratorStatus {
    const snapshot = this.#actor?.getSnapshot();
    if (!snapshot) {
      return statusOf('idle', initialContext({ companyId: this.#options.companyId }), false);
    }
    return statusOf(snapshot.value, snapshot.context, snapshot.status === 'active');
  }

  /** Listens to lifecycle events (`job:claimed`, `claim:conflict`, …). */
  subscribe(listener: (event: OrchestratorEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Resolves once the orchestrator rests: idle after at least one detection
   * with no trigger pending, waiting for the host's `finish()`, fatal, or
   * stopped. `--once` uses it to exit when nothing eligible is left.
   */
  async settled(): Promise<OrchestratorStatus> {
    const actor = this.#actor;
    if (!actor) throw new ConfigError('The orchestrator has not been started.');
    const resting = (s: ReturnType<MachineActor['getSnapshot']>) =>
      s.status !== 'active' || s.matches('fatal') || s.matches({ claimed: 'awaitingHost' })
      || (s.matches('idle') && s.context.counters.detections > 0 && !s.context.redetect);
    await new Promise<void>((resolve) => {
      if (resting(actor.getSnapshot())) return resolve();
      const subscription = actor.subscribe((s) => {
        if (!resting(s)) return;
        subscription.unsubscribe();
        resolve();
      });
    });
    await this.#writes;
    return this.status();
  }

  /**
   * Stops: schedule first, then the machine. A running claim, processor or
   * report may finish within `graceMs`; after that it is aborted through its
   * signal and the held job is resumed on the next start.
   */
  async stop(graceMs = this.#options.shutdownGraceMs): Promise<void> {
    this.#schedule?.stop();
    this.#schedule = undefined;
    const actor = this.#actor;
    if (actor && actor.getSnapshot().status === 'active') {
      actor.send({ type: 'STOP' });
      const stopped = await waitForDone(actor, graceMs);
      if (!stopped) {
        this.#logger.warn({ graceMs }, 'shutdown grace period ended; aborting the running step');
        actor.send({ type: 'STOP', force: true });
      }
    }
    await this.#writes;
    if (this.#writeError) throw this.#writeError;
  }

  #provideMachine() {
    const conflict = this.#options.conflictBackoffMs;
    const retry = this.#options.retryBackoffMs;
    const actors = createActors({
      client: this.client,
      logger: this.#logger,
      preChecks: this.#options.preChecks,
      processor: this.#options.processor,
      recordClaimIntent: (jobId) => this.#save({
        ...this.#saved,
        claimIntent: { jobId, at: Date.now() },
      }),
      lastSeen: (jobId) =>
        this.#actor?.getSnapshot().context.detected.find((job) => job.id === jobId),
    });
    return exportJobMachine.provide({
      actors,
      delays: {
        conflictBackoff: () => conflict.min + Math.random() * (conflict.max - conflict.min),
        retryBackoff: ({ context }) => backoffMs(context, { baseMs: retry.base, maxMs: retry.max }),
      },
    });
  }

  /** Mirrors the durable part of the context into the store when it changes. */
  #persist(context: MachineContext): void {
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
    const write = this.#writes.then(() => this.#store.save(this.#storeKey, record));
    this.#writes = write.catch((error: unknown) => {
      this.#writeError = error;
      this.#logger.error({ err: error }, 'could not persist orchestrator state');
    });
    return write;
  }

  /** With organisation-wide credentials, the company comes from the job itself. */
  #companyOfJob(event: { type: string; jobId?: string }): string | undefined {
    if (!event.jobId || !this.#actor) return undefined;
    const context = this.#actor.getSnapshot().context;
    if (context.heldJob?.id === event.jobId) return context.heldJob.companyId;
    return context.detected.find((job) => job.id === event.jobId)?.companyId;
  }

  #inspect(event: InspectionEvent): void {
    if (event.type !== '@xstate.snapshot' || event.actorRef !== this.#actor) return;
    if (!this.#logger.isLevelEnabled('debug')) return;
    const snapshot = event.snapshot as ReturnType<MachineActor['getSnapshot']>;
    this.#logger.debug(
      { to: stateName(snapshot.value), event: event.event.type,
        jobId: snapshot.context.heldJob?.id ?? snapshot.context.candidate?.id },
      'transition',
    );
  }
}

function sameState(a: StoredState, b: StoredState): boolean {
  return JSON.stringify({ ...a, updatedAt: 0 }) === JSON.stringify({ ...b, updatedAt: 0 });
}

function waitForDone(actor: MachineActor, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (actor.getSnapshot().status !== 'active') return resolve(true);
    const timer = setTimeout(() => {
      subscription.unsubscribe();
      resolve(false);
    }, timeoutMs);
    const subscription = actor.subscribe({
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
