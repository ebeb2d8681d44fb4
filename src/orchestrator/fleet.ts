/**
 * The running core behind both orchestrator facades: a parent actor with
 * one export-job lane per company, the clients, the shared request budget,
 * the poll schedule and the state store.
 */
import { createActor, type Actor, type InspectionEvent } from 'xstate';
import type { Logger } from 'pino';
import { initialContext } from '../../machines/actions.js';
import { backoffMs, exportJobMachine } from '../../machines/export-job.machine.js';
import { fleetMachine, laneId } from '../../machines/fleet.machine.js';
import type { MachineInput } from '../../machines/types.js';
import { ConfigError } from '../errors.js';
import { redactingChild, silentLogger } from '../logger.js';
import { createPleoClient, type PleoClient } from '../pleo/client.js';
import type { CredentialsSource, PleoCredentials } from '../pleo/credentials.js';
import { FileStateStore } from '../persistence/file-state-store.js';
import {
  MemoryStateStore,
  type StateStore,
  type StoredState,
} from '../persistence/state-store.js';
import { startInspector } from '../inspect/inspector.js';
import { startSchedule, type Schedule } from '../triggers/schedule.js';
import { Spreader } from '../triggers/spread.js';
import { createActors, type LaneDeps } from './actors.js';
import { FanOutPoll } from './fan-out.js';
import { Lane, type LaneRef } from './lane.js';
import type { ResolvedOptions } from './options.js';
import { RequestLimiter } from './request-limiter.js';
import { SharedLister } from './shared-lister.js';
import { stateName, statusOf } from './status.js';
import type { OrchestratorEvent, OrchestratorStatus, TriggerSource } from './types.js';

export interface LaneDefinition {
  companyId: string | undefined;
  /** The company's own credentials; absent: the organisation-level ones. */
  credentials?: CredentialsSource | undefined;
}

interface Inspection {
  inspect: (event: InspectionEvent) => void;
  stop(): Promise<void>;
}

/** The lane key of a company; the single lane without a company is `default`. */
export const laneKey = (companyId: string | undefined): string => companyId ?? 'default';

export class Fleet {
  readonly logger: Logger;
  readonly limiter: RequestLimiter;
  readonly #options: ResolvedOptions;
  readonly #store: StateStore;
  readonly #lanes = new Map<string, Lane>();
  readonly #listeners = new Set<(event: OrchestratorEvent) => void>();
  readonly #spreader = new Spreader((key) => this.trigger('schedule', key));
  #orgClient: PleoClient | undefined;
  #lister: SharedLister | undefined;
  #fanOut: FanOutPoll | undefined;
  #actor: Actor<typeof fleetMachine> | undefined;
  #schedule: Schedule | undefined;
  #laneMachine: typeof exportJobMachine | undefined;
  #inspector: Inspection | undefined;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.logger = redactingChild(options.logger ?? silentLogger(), { component: 'orchestrator' });
    this.limiter = new RequestLimiter({ maxConcurrent: options.maxConcurrentRequests });
    this.#store = options.store
      ?? (options.stateDir ? new FileStateStore(options.stateDir) : new MemoryStateStore());
  }

  get started(): boolean {
    return this.#actor !== undefined;
  }

  /** Starts the parent actor and the poll schedule; lanes are added after. */
  async start(): Promise<void> {
    this.#inspector = await this.#startInspector();
    const observe = this.#inspector?.inspect;
    // Inspection events cost a little on every transition of every lane:
    // only ask for them when something reads them.
    const inspecting = observe !== undefined || this.logger.isLevelEnabled('debug');
    const actor = createActor(fleetMachine, {
      ...(inspecting
        ? {
          inspect: (event: InspectionEvent) => {
            this.#inspect(event);
            observe?.(event);
          },
        }
        : {}),
    });
    actor.subscribe({ error: (error) => this.logger.error({ err: error }, 'fleet actor failed') });
    actor.start();
    this.#actor = actor;
    this.#laneMachine = this.#laneLogic();
    if (this.#options.schedule !== false) {
      this.#schedule = startSchedule(this.#options.schedule, () => this.#tick());
    }
  }

  /** Loads a company's persisted state and starts its lane. */
  async addLane(definition: LaneDefinition): Promise<Lane> {
    const [lane] = await this.addLanes([definition]);
    return lane!;
  }

  /** Loads each company's persisted state, then starts their lanes together. */
  async addLanes(definitions: readonly LaneDefinition[]): Promise<Lane[]> {
    const fleet = this.#actor;
    if (!fleet) throw new Error('The fleet has not been started.');
    const lanes: Lane[] = [];
    const started: string[] = [];
    for (const [index, definition] of definitions.entries()) {
      // Thousands of lanes start in slices, so timers and sockets keep running.
      if (index > 0 && index % 256 === 0) await new Promise((resolve) => setImmediate(resolve));
      const key = laneKey(definition.companyId);
      const existing = this.#lanes.get(key);
      if (existing) {
        lanes.push(existing);
        continue;
      }
      const lane = this.#newLane(key, definition);
      const saved = await lane.load();
      const ref = createActor(this.#laneMachine!, {
        parent: fleet,
        id: laneId(key),
        systemId: laneId(key),
        input: this.#laneInput(definition.companyId, saved),
      });
      this.#lanes.set(key, lane);
      lane.attach(ref);
      ref.start();
      lane.logger.debug({ heldJobId: saved.heldJob?.id }, 'lane started');
      lanes.push(lane);
      started.push(key);
    }
    if (started.length > 0) fleet.send({ type: 'COMPANY.ADD', keys: started });
    return lanes;
  }

  /** Stops a company's lane after its current step, then removes it. */
  async removeLane(companyId: string | undefined, graceMs: number): Promise<boolean> {
    const key = laneKey(companyId);
    const lane = this.#lanes.get(key);
    if (!lane) return false;
    await lane.stop(graceMs);
    await lane.flush();
    this.#actor?.send({ type: 'COMPANY.REMOVE', key });
    this.#lanes.delete(key);
    return true;
  }

  lane(companyId: string | undefined): Lane | undefined {
    return this.#lanes.get(laneKey(companyId));
  }

  lanes(): Lane[] {
    return [...this.#lanes.values()];
  }

  /**
   * One lane's trigger, or every lane's when `key` is undefined. False when
   * no lane can act on it (stopped, or fatal until recovered), so a webhook
   * sender is told to deliver again instead of being acknowledged.
   */
  trigger(source: TriggerSource, key?: string): boolean {
    if (!this.#actor || this.#actor.getSnapshot().status !== 'active') return false;
    const lanes = key === undefined ? this.lanes() : [this.#lanes.get(key)];
    let accepted = false;
    for (const lane of lanes) {
      if (!lane?.accepting) continue;
      accepted = true;
      // A busy lane ends its cycle by detecting (or by a listing it just
      // read); a poll adds nothing there, so it is not sent at all.
      if (source === 'schedule' && !lane.resting) continue;
      lane.ref!.send({ type: 'TRIGGER', source });
    }
    return accepted;
  }

  subscribe(listener: (event: OrchestratorEvent) => void): () => void {
    if (typeof listener !== 'function') {
      throw new ConfigError('subscribe() takes a function, called with each lifecycle event.');
    }
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  laneStatus(lane: Lane | undefined, companyId: string | undefined): OrchestratorStatus {
    const fallback = initialContext({ companyId });
    return lane ? lane.status(fallback) : statusOf('idle', fallback, false);
  }

  async stop(graceMs: number): Promise<void> {
    this.#schedule?.stop();
    this.#schedule = undefined;
    this.#spreader.stop();
    await Promise.all(this.lanes().map((lane) => lane.stop(graceMs)));
    this.#actor?.stop();
    await this.#inspector?.stop();
    this.#inspector = undefined;
    const results = await Promise.allSettled(this.lanes().map((lane) => lane.flush()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  #newLane(key: string, definition: LaneDefinition): Lane {
    return new Lane({
      key,
      companyId: definition.companyId,
      client: this.#clientFor(definition),
      store: this.#store,
      logger: definition.companyId
        ? this.logger.child({ companyId: definition.companyId })
        : this.logger,
      emit: (event) => {
        for (const listener of this.#listeners) {
          // A host's listener (metrics, say) must never break a claim or
          // take the process down: its failure is logged and ignored.
          try {
            listener(event);
          } catch (error) {
            this.logger.error({ err: error, event: event.type }, 'a subscribe() listener threw');
          }
        }
      },
    });
  }

  #laneInput(companyId: string | undefined, saved: StoredState): MachineInput {
    const unknownClaimIds = [...saved.unknownClaimIds];
    if (saved.claimIntent && saved.claimIntent.jobId !== saved.heldJob?.id) {
      // A `started` may have left before the last run ended: learn its fate by
      // reading the job, never by sending it again.
      unknownClaimIds.push(saved.claimIntent.jobId);
    }
    return {
      companyId,
      exclusive: this.#options.exclusive,
      soleWorker: this.#options.soleWorker,
      hasProcessor: this.#options.processor !== undefined,
      heldJob: saved.heldJob,
      unknownClaimIds,
      conflictExclusionMs: this.#options.conflictExclusionMs,
      minDetectionGapMs: this.#options.minDetectionGapMs,
      listingReuseMs: this.#options.listingReuseMs,
    };
  }

  /**
   * A poll tick. With one shared listing (organisation credentials, or one
   * lane) every lane is triggered at once; with per-company credentials the
   * lanes are spread over most of the interval.
   */
  #tick(): void {
    if (this.#fanOut) {
      void this.#fanOut.tick(this.lanes(), (lane) => this.trigger('schedule', lane.key));
      return;
    }
    if (this.#lanes.size <= 1) {
      this.trigger('schedule');
      return;
    }
    const next = this.#schedule?.nextRun()?.getTime();
    const interval = next ? Math.max(0, next - Date.now()) : 60_000;
    this.#spreader.spread(this.#lanes.keys(), interval * 0.8);
  }

  #clientFor(definition: LaneDefinition): PleoClient {
    const own = definition.credentials
      ?? (definition.companyId && this.#options.credentialsFor
        ? credentialsOf(this.#options.credentialsFor, definition.companyId)
        : undefined);
    if (own) return this.#newClient(own, laneKey(definition.companyId));

    // Organisation-level credentials: one client and one listing for all lanes.
    if (!this.#orgClient) {
      this.#orgClient = this.#newClient(this.#options.credentials!, 'organisation');
      if (this.#options.companies) {
        this.#lister = new SharedLister(this.#orgClient);
        this.#fanOut = new FanOutPoll(this.#orgClient, this.logger);
      }
    }
    return this.#orgClient;
  }

  #newClient(credentials: CredentialsSource, gateLane: string): PleoClient {
    const options = this.#options;
    return createPleoClient({
      baseUrl: options.apiUrl,
      credentials,
      requestTimeoutMs: options.requestTimeoutMs,
      pageSize: options.pageSize,
      logger: this.logger,
      gate: this.limiter,
      gateLane,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
    });
  }

  #laneLogic() {
    const { conflictBackoffMs: conflict, retryBackoffMs: retry } = this.#options;
    const actors = createActors({
      preChecks: this.#options.preChecks,
      processor: this.#options.processor,
      preCheckTimeoutMs: this.#options.preCheckTimeoutMs,
      processorTimeoutMs: this.#options.processorTimeoutMs,
      lane: (companyId) => this.#laneDeps(companyId),
    });
    return exportJobMachine.provide({
      actors,
      delays: {
        conflictBackoff: () => conflict.min + Math.random() * (conflict.max - conflict.min),
        retryBackoff: ({ context }) => backoffMs(context, { baseMs: retry.base, maxMs: retry.max }),
      },
    });
  }

  #laneDeps(companyId: string | undefined): LaneDeps {
    const lane = this.#lanes.get(laneKey(companyId));
    if (!lane) throw new Error(`No lane for company ${companyId ?? '(default)'}.`);
    const lister = this.#lister;
    return {
      client: lane.client,
      logger: lane.logger,
      ...(lister && lane.client === this.#orgClient
        ? {
          listJobs: async (id: string | undefined, signal: AbortSignal) =>
            lane.takeListing() ?? lister.list(id, signal),
        }
        : {}),
      recordClaimIntent: (jobId) => lane.recordClaimIntent(jobId),
      recordHold: (job) => lane.recordHold(job),
      lastSeen: (jobId) => lane.lastSeen(jobId),
    };
  }

  /** The inspector the options ask for; never started unless asked. */
  async #startInspector(): Promise<Inspection | undefined> {
    const option = this.#options.inspect;
    if (option === false) return undefined;
    if (typeof option === 'function') return { inspect: option, stop: async () => {} };
    return startInspector({
      logger: this.logger,
      port: option === true ? 0 : option.port ?? 0,
      secrets: this.#secrets(),
    });
  }

  /** Literal secrets to cut from anything the inspector shows. */
  #secrets(): string[] {
    const sources = [
      this.#options.credentials,
      ...(this.#options.companies ?? []).map((company) =>
        typeof company === 'string' ? undefined : company.credentials),
    ];
    return sources.flatMap((source) => {
      if (!source || typeof source === 'function') return [];
      return 'token' in source ? [source.token] : [source.apiKey];
    });
  }

  #inspect(event: InspectionEvent): void {
    if (event.type !== '@xstate.snapshot' || !this.logger.isLevelEnabled('debug')) return;
    const id = (event.actorRef as { id?: string }).id;
    if (!id?.startsWith('lane:')) return;
    const snapshot = event.snapshot as ReturnType<LaneRef['getSnapshot']>;
    this.logger.debug(
      {
        lane: id,
        to: stateName(snapshot.value),
        event: event.event.type,
        jobId: snapshot.context.heldJob?.id ?? snapshot.context.candidate?.id,
      },
      'transition',
    );
  }
}

function credentialsOf(
  resolve: (companyId: string) => PleoCredentials | Promise<PleoCredentials>,
  companyId: string,
): CredentialsSource {
  return () => resolve(companyId);
}
