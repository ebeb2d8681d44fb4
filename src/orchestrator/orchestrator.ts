/**
 * The orchestrator a host creates: for one company (`ExportOrchestrator`) or
 * for many (`MultiCompanyOrchestrator`), both running on the same fleet of
 * export-job lanes.
 */
import { ConfigError } from '../errors.js';
import type { PleoClient } from '../pleo/client.js';
import { Fleet } from './fleet.js';
import type { Lane } from './lane.js';
import { MultiCompanyOrchestrator } from './multi-orchestrator.js';
import { parseOptions, type OrchestratorOptions, type ResolvedOptions } from './options.js';
import type { JobOutcome, OrchestratorEvent, OrchestratorStatus, TriggerSource } from './types.js';

/**
 * Creates an orchestrator. Nothing runs until `start()`. With `companies`
 * it serves many companies, one lane each; otherwise one company.
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
export function createExportOrchestrator(
  options: OrchestratorOptions & { companies: NonNullable<OrchestratorOptions['companies']> },
): MultiCompanyOrchestrator;
export function createExportOrchestrator(options: OrchestratorOptions): ExportOrchestrator;
export function createExportOrchestrator(
  options: OrchestratorOptions,
): ExportOrchestrator | MultiCompanyOrchestrator {
  const resolved = parseOptions(options);
  return resolved.companies
    ? new MultiCompanyOrchestrator(resolved)
    : new ExportOrchestrator(resolved);
}

/** The orchestrator of one company: one lane. */
export class ExportOrchestrator {
  readonly #options: ResolvedOptions;
  readonly #fleet: Fleet;
  #lane: Lane | undefined;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#fleet = new Fleet(options);
  }

  /** The Pleo client this orchestrator uses (available after `start()`). */
  get client(): PleoClient {
    if (!this.#lane) throw new ConfigError('The orchestrator has not been started.');
    return this.#lane.client;
  }

  /** Loads the persisted state, starts the machine and the schedule, and detects once. */
  async start(): Promise<void> {
    if (this.#fleet.started) throw new ConfigError('This orchestrator has already been started.');
    await this.#fleet.start();
    try {
      this.#lane = await this.#fleet.addLane({
        companyId: this.#options.companyId,
        credentials: this.#options.credentials,
      });
    } catch (error) {
      await this.#fleet.stop(0);
      throw error;
    }
    this.#fleet.logger.info({ schedule: this.#options.schedule }, 'orchestrator started');
    if (this.#options.detectOnStart) this.trigger('startup');
  }

  /** Asks for a detection now; during a cycle it is coalesced into one more. */
  trigger(source: TriggerSource = 'manual'): boolean {
    return this.#lane ? this.#fleet.trigger(source, this.#lane.key) : false;
  }

  /**
   * Reports the outcome of the held job, for hosts that process outside the
   * orchestrator (no `processor` option). Returns false when `jobId` is not
   * the job awaiting an outcome.
   */
  finish(jobId: string, outcome: JobOutcome): boolean {
    return this.#lane?.finish(jobId, outcome) ?? false;
  }

  /**
   * Takes over a job whose claim outcome was unknown. The job is resumed if
   * Pleo shows it `in_progress`; only call this when no other worker can hold it.
   */
  adopt(jobId: string): boolean {
    return this.#lane?.adopt(jobId) ?? false;
  }

  /** Leaves `fatal` after the host fixed what stopped it (e.g. new credentials). */
  recover(): boolean {
    return this.#lane?.recover() ?? false;
  }

  status(): OrchestratorStatus {
    return this.#fleet.laneStatus(this.#lane, this.#options.companyId);
  }

  /** Listens to lifecycle events (`job:claimed`, `claim:conflict`, …). */
  subscribe(listener: (event: OrchestratorEvent) => void): () => void {
    return this.#fleet.subscribe(listener);
  }

  /**
   * Resolves once the orchestrator rests: idle with no trigger pending,
   * waiting for the host's `finish()`, fatal, or stopped. `--once` uses it
   * to exit when nothing eligible is left.
   */
  async settled(): Promise<OrchestratorStatus> {
    if (!this.#lane) throw new ConfigError('The orchestrator has not been started.');
    await this.#lane.settled();
    return this.status();
  }

  /**
   * Stops: schedule first, then the machine. A running claim, processor or
   * report may finish within `graceMs`; after that it is aborted through its
   * signal and the held job is resumed on the next start.
   */
  async stop(graceMs = this.#options.shutdownGraceMs): Promise<void> {
    await this.#fleet.stop(graceMs);
  }
}
