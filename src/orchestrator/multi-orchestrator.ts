/**
 * Many companies in one process: one lane per company, so company A's
 * backlog never waits behind company B's and one company's rejected
 * credentials stop only its own lane.
 */
import { ConfigError } from '../errors.js';
import { Fleet, laneKey, type LaneDefinition } from './fleet.js';
import type { CompanySpec, ResolvedOptions } from './options.js';
import type { JobOutcome, OrchestratorEvent, OrchestratorStatus, TriggerSource } from './types.js';

export interface FleetStatus {
  running: boolean;
  lanes: OrchestratorStatus[];
  requests: { inFlight: number; peak: number; waiting: number; maxConcurrent: number };
}

export class MultiCompanyOrchestrator {
  readonly #options: ResolvedOptions;
  readonly #fleet: Fleet;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#fleet = new Fleet(options);
  }

  /** Starts every configured company's lane and detects once in each. */
  async start(): Promise<void> {
    if (this.#fleet.started) throw new ConfigError('This orchestrator has already been started.');
    await this.#fleet.start();
    try {
      await this.#fleet.addLanes((this.#options.companies ?? []).map(laneDefinition));
    } catch (error) {
      await this.#fleet.stop(0);
      throw error;
    }
    this.#fleet.logger.info(
      { companies: this.#fleet.lanes().length, schedule: this.#options.schedule },
      'orchestrator started',
    );
    if (this.#options.detectOnStart) this.#fleet.trigger('startup');
  }

  /** Adds a company while running; it detects at once. */
  async addCompany(company: CompanySpec): Promise<void> {
    if (!this.#fleet.started) throw new ConfigError('The orchestrator has not been started.');
    const companyId = typeof company === 'string' ? company : company.companyId;
    if (this.#fleet.lane(companyId)) return;
    await this.#add(company);
    this.#fleet.trigger('manual', laneKey(companyId));
  }

  /** Removes a company after its current step (bounded by `graceMs`). */
  removeCompany(companyId: string, graceMs = this.#options.shutdownGraceMs): Promise<boolean> {
    return this.#fleet.removeLane(companyId, graceMs);
  }

  companies(): string[] {
    return this.#fleet.lanes().map((lane) => lane.companyId!);
  }

  /** One company's trigger, or every company's when `companyId` is omitted. */
  trigger(source: TriggerSource = 'manual', companyId?: string): boolean {
    return this.#fleet.trigger(source, companyId === undefined ? undefined : laneKey(companyId));
  }

  finish(companyId: string, jobId: string, outcome: JobOutcome): boolean {
    return this.#fleet.lane(companyId)?.finish(jobId, outcome) ?? false;
  }

  adopt(companyId: string, jobId: string): boolean {
    return this.#fleet.lane(companyId)?.adopt(jobId) ?? false;
  }

  recover(companyId: string): boolean {
    return this.#fleet.lane(companyId)?.recover() ?? false;
  }

  /** One company's status. */
  laneStatus(companyId: string): OrchestratorStatus | undefined {
    const lane = this.#fleet.lane(companyId);
    return lane ? this.#fleet.laneStatus(lane, companyId) : undefined;
  }

  status(): FleetStatus {
    const lanes = this.#fleet.lanes().map((lane) => this.#fleet.laneStatus(lane, lane.companyId));
    return {
      running: lanes.some((lane) => lane.running),
      lanes,
      requests: { ...this.#fleet.limiter.stats, maxConcurrent: this.#fleet.limiter.maxConcurrent },
    };
  }

  subscribe(listener: (event: OrchestratorEvent) => void): () => void {
    return this.#fleet.subscribe(listener);
  }

  /** Resolves once every lane rests (see `ExportOrchestrator.settled`). */
  async settled(): Promise<FleetStatus> {
    await Promise.all(this.#fleet.lanes().map((lane) => lane.settled()));
    return this.status();
  }

  async stop(graceMs = this.#options.shutdownGraceMs): Promise<void> {
    await this.#fleet.stop(graceMs);
  }

  #add(company: CompanySpec) {
    return this.#fleet.addLane(laneDefinition(company));
  }
}

function laneDefinition(company: CompanySpec): LaneDefinition {
  if (typeof company === 'string') return { companyId: company };
  return { companyId: company.companyId, credentials: company.credentials };
}
