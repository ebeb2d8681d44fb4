/**
 * The real world of one path: the emulator over loopback, a gated HTTP
 * dispatcher, the host's store, pre-checks and processor, and fake timers
 * for backoffs and grace periods. `perform` makes the world produce one
 * move: it calls the orchestrator's API, advances the clock, or arms what a
 * held step will meet when the runner releases it.
 */
import { vi } from 'vitest';
import type { Emulator, RecordedRequest } from '../../src/emulator/index.js';
import type { ExportOrchestrator } from '../../src/orchestrator/orchestrator.js';
import type { OrchestratorOptions } from '../../src/orchestrator/options.js';
import type { OrchestratorEvent } from '../../src/orchestrator/types.js';
import type { ModelConfig } from './configs.js';
import { gatedAgent, type Intercepted } from './gated-dispatcher.js';
import { Holds } from './holds.js';
import { statePath, type ModelEvent, type ModelSnapshot, type Move } from './moves.js';
import { FAULTS, webhookSender } from './world-effects.js';
import { createHost, WorldStore } from './world-gates.js';
import { COMPANY_ID, type JobSeed } from './world-jobs.js';

export const BACKOFF_MS = 100;
export const GRACE_MS = 30_000;
export const REQUEST_TIMEOUT_MS = 60_000;
export const tagOf = (state: string, detections: number) => `${state}#${detections}`;

export class World {
  readonly holds = new Holds();
  readonly intercepted: Intercepted[] = [];
  /** Requests that left the gate for the emulator, in order. */
  readonly sent: Intercepted[] = [];
  readonly events: OrchestratorEvent[] = [];
  readonly host;
  readonly store;
  readonly #emulator: Emulator;
  readonly #config: ModelConfig;
  readonly #gate;
  #orchestrator: ExportOrchestrator | undefined;
  #plan: ModelEvent | undefined;
  #planApplied = false;
  #awaitingHang = false;
  #stopping: Promise<unknown> | undefined;
  readonly #deliverWebhook = webhookSender(() => this.orchestrator.trigger('webhook'));
  /** The jobs the last detection's world held. */
  lastSeeds: JobSeed[] = [];
  /** The emulator's request log from before its resets (each detection starts a new world). */
  readonly #archived: RecordedRequest[] = [];
  stopCalled = false;

  constructor(emulator: Emulator, config: ModelConfig) {
    this.#emulator = emulator;
    this.#config = config;
    const gate = (kind: string) => new Promise<Move | undefined>((resolve) => {
      this.holds.add({
        tag: this.where().tag,
        kind,
        release: () => resolve(this.#plan?.move),
        discard: () => resolve(undefined),
      });
    });
    this.host = createHost(gate, () => this.orchestrator.status().heldJob?.id ?? null);
    this.store = new WorldStore(gate, {
      hold: config.persistedHold,
      intent: config.persistedIntent,
    });
    this.#gate = gatedAgent({
      holds: this.holds,
      where: () => this.where(),
      seen: (request) => this.intercepted.push(request),
      beforeSend: (request) => this.#beforeSend(request),
    });
  }

  get orchestrator(): ExportOrchestrator {
    if (!this.#orchestrator) throw new Error('The world has no orchestrator yet.');
    return this.#orchestrator;
  }

  bind(orchestrator: ExportOrchestrator): void {
    this.#orchestrator = orchestrator;
    orchestrator.subscribe((event) => this.events.push(event));
  }

  where() {
    const status = this.orchestrator.status();
    return {
      state: status.state,
      tag: tagOf(status.state, status.counters.detections),
      heldJobId: status.heldJob?.id ?? null,
    };
  }

  options(): OrchestratorOptions {
    const config = this.#config;
    return {
      apiUrl: this.#emulator.url,
      credentials: { token: this.#emulator.token },
      companyId: COMPANY_ID,
      schedule: false,
      detectOnStart: false,
      store: this.store,
      exclusive: config.exclusive,
      soleWorker: config.soleWorker,
      minDetectionGapMs: config.minDetectionGapMs,
      listingReuseMs: config.listingReuseMs,
      conflictExclusionMs: config.input.conflictExclusionMs,
      // Off: the fake clock jumps by whole timeouts, which must not also end a host step.
      preCheckTimeoutMs: 0,
      processorTimeoutMs: 0,
      preChecks: this.host.preChecks,
      ...(config.processor ? { processor: this.host.processor } : {}),
      conflictBackoffMs: { min: BACKOFF_MS, max: BACKOFF_MS },
      retryBackoffMs: { base: BACKOFF_MS, max: BACKOFF_MS },
      retry: { maxAttempts: 1 },
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      shutdownGraceMs: GRACE_MS,
      dispatcher: this.#gate.dispatcher,
    };
  }

  /** Makes the world produce `event`, leaving held steps for the runner to release. */
  perform(event: ModelEvent, source: ModelSnapshot): void {
    this.#plan = event;
    this.#planApplied = false;
    this.store.failing = false;
    const orchestrator = this.orchestrator;
    const jobId = 'jobId' in event ? event.jobId ?? '' : '';
    const expect = (done: boolean, wanted: boolean, what: string) => {
      if (done !== wanted) throw new Error(`${what} returned ${done}, expected ${wanted}.`);
    };
    switch (event.move) {
      case 'trigger:manual':
        return expect(orchestrator.trigger('manual'), true, 'trigger()');
      case 'trigger:schedule':
        return expect(orchestrator.trigger('schedule'), true, 'trigger()');
      case 'trigger:webhook':
        return this.#deliverWebhook();
      case 'stop':
        this.stopCalled = true;
        this.#stopping = orchestrator.stop(GRACE_MS).catch((error: unknown) => error);
        return;
      case 'stop:grace-expired':
        vi.advanceTimersByTime(GRACE_MS);
        return;
      case 'recover':
        return expect(orchestrator.recover(), true, 'recover()');
      case 'adopt:unknown':
      case 'adopt:refused':
        return expect(orchestrator.adopt(jobId), event.move === 'adopt:unknown', 'adopt()');
      case 'finish:held':
      case 'finish:other':
        return expect(
          orchestrator.finish(jobId, { status: 'completed' }),
          event.move === 'finish:held',
          'finish()',
        );
      case 'backoff:elapsed': {
        const cooling = statePath(source.value) === 'cooldown';
        vi.advanceTimersByTime(cooling ? this.#config.minDetectionGapMs : BACKOFF_MS);
        return;
      }
      default:
        // An outcome of a held step: armed here, applied when it is released.
        return;
    }
  }

  /** Every request the emulator received during the path, in order. */
  wire(): RecordedRequest[] {
    return [...this.#archived, ...this.#emulator.requests()];
  }

  /** Called while the runner waits: lets a hung claim reach its deadline. */
  nudge(): void {
    if (!this.#awaitingHang) return;
    if (this.#emulator.requests({ outcome: 'hung' }).length === 0) return;
    this.#awaitingHang = false;
    vi.advanceTimersByTime(REQUEST_TIMEOUT_MS);
  }

  #beforeSend(request: Intercepted): void {
    this.sent.push(request);
    const plan = this.#plan;
    if (!plan || this.#planApplied) return;
    const emulator = this.#emulator;
    if (request.kind === 'read' && plan.move.startsWith('detect:')) {
      this.#archived.push(...emulator.requests());
      emulator.reset();
      for (const seed of plan.seeds ?? []) emulator.createJob({ ...seed, companyId: COMPANY_ID });
      this.lastSeeds = plan.seeds ?? [];
    } else if (request.kind === 'started' && plan.move === 'claim:conflict') {
      // Another worker's `started` lands first.
      emulator.applyJobEvent({ event: 'started', jobId: request.jobId ?? '' });
    } else if (!(request.kind === 'started' && plan.move.startsWith('claim:'))
      && !(request.kind === 'outcome' && plan.move.startsWith('report:'))) {
      return;
    }
    this.#planApplied = true;
    const fault = FAULTS[plan.move]?.(request.jobId);
    if (fault) emulator.addFault(fault);
    this.#awaitingHang = plan.move === 'claim:timeout';
  }

  /** Ends the path: nothing stays held, the orchestrator stops, sockets close. */
  async close(): Promise<void> {
    vi.useRealTimers();
    // STOP goes out synchronously, before the released holds let anything move.
    const stopped = this.#orchestrator?.stop(0).catch((error: unknown) => error);
    await this.#gate.destroy();
    this.holds.close();
    await Promise.all([stopped, this.#stopping]);
  }
}
