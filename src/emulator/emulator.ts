/**
 * The running emulator: one HTTP server, one state, and the methods tests and
 * the control surface use to drive it.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JobEventBody } from '../pleo/schemas.js';
import { handleApiRequest, type PipelineDeps } from './api-pipeline.js';
import type { TokenSpec } from './auth.js';
import { createClock, type Clock } from './clock.js';
import { CONTROL_PREFIX, handleControlRequest } from './control.js';
import type { Emulator, SubscribeOptions, SubscriptionInfo } from './emulator-api.js';
import type { FaultSpec } from './faults.js';
import type { CreateJobInput } from './job-input.js';
import { resolveOptions, type EmulatorOptions, type ResolvedOptions } from './options.js';
import type { RequestFilter } from './request-log.js';
import { listen, type RunningServer } from './server.js';
import { createState, type EmulatorState } from './state.js';
import { endpointProblem, type SubscriptionRecord } from './subscriptions.js';

export class EmulatorInstance implements Emulator {
  readonly #options: ResolvedOptions;
  readonly #clock: Clock;
  readonly #closing = new AbortController();
  readonly #server: RunningServer;
  readonly #pipeline: PipelineDeps;
  #state: EmulatorState;
  #closed: Promise<void> | undefined;

  private constructor(options: ResolvedOptions, clock: Clock, server: RunningServer) {
    this.#options = options;
    this.#clock = clock;
    this.#server = server;
    this.#state = createState(options, clock);
    this.#pipeline = {
      state: () => this.#state,
      options,
      clock,
      closing: this.#closing.signal,
    };
  }

  static async start(input: EmulatorOptions = {}): Promise<EmulatorInstance> {
    const options = resolveOptions(input);
    const clock = createClock(options.now);
    let instance: EmulatorInstance | undefined;
    const server = await listen(
      options.host,
      options.port,
      async (req, res) => {
        if (instance) return instance.#handle(req, res);
        res.writeHead(503).end();
      },
      options.logger,
    );
    instance = new EmulatorInstance(options, clock, server);
    options.logger.info({ url: server.url }, 'emulator listening');
    return instance;
  }

  get url(): string {
    return this.#server.url;
  }

  get port(): number {
    return this.#server.port;
  }

  get token(): string {
    return this.#options.token;
  }

  close(): Promise<void> {
    this.#closed ??= (async () => {
      this.#closing.abort();
      await this.#state.webhooks.close();
      await this.#server.close();
      this.#options.logger.info('emulator closed');
    })();
    return this.#closed;
  }

  createJob(input: CreateJobInput = {}) {
    const job = this.#state.store.create(input);
    this.#options.logger.info({ jobId: job.id, companyId: job.companyId }, 'job created');
    this.#state.webhooks.jobCreated(job, this.#state.subscriptions.list());
    return job;
  }

  getJob(id: string) {
    const stored = this.#state.store.find(id);
    return stored && { ...stored.job };
  }

  jobs() {
    return this.#state.store.all().map((s) => ({ ...s.job }));
  }

  jobItems(jobId: string) {
    return structuredClone(this.#state.store.find(jobId)?.items ?? []);
  }

  exportItems(jobId: string) {
    return structuredClone(this.#state.store.find(jobId)?.exportItems ?? []);
  }

  applyJobEvent(body: JobEventBody) {
    return this.#state.store.applyEvent(body);
  }

  requests(filter?: RequestFilter) {
    return this.#state.requests.list(filter);
  }

  clearRequests(): void {
    this.#state.requests.clear();
  }

  reset(): void {
    void this.#state.webhooks.close();
    this.#clock.reset();
    this.#state = createState(this.#options, this.#clock);
    this.#options.logger.info('emulator reset');
  }

  setFaults(faults: readonly FaultSpec[]): void {
    this.#state.faults.set(faults);
  }

  addFault(fault: FaultSpec): void {
    this.#state.faults.add(fault);
  }

  clearFaults(): void {
    this.#state.faults.clear();
  }

  faults() {
    return this.#state.faults.list();
  }

  subscribe(endpointUrl: string, options: SubscribeOptions = {}): SubscriptionInfo {
    const problem = endpointProblem(endpointUrl, this.#options.allowRemoteWebhooks);
    if (problem) throw new TypeError(problem);
    const record = this.#state.subscriptions.add({
      endpointUrl,
      eventTypes: options.eventTypes ?? ['v1.export-job.created'],
      ...(options.secret === undefined ? {} : { secret: options.secret }),
    });
    return subscriptionInfo(record);
  }

  unsubscribe(id: string): boolean {
    return this.#state.subscriptions.remove(id);
  }

  subscriptions(): SubscriptionInfo[] {
    return this.#state.subscriptions.list().map(subscriptionInfo);
  }

  deliveries() {
    return this.#state.webhooks.log.list();
  }

  settled(): Promise<void> {
    return this.#state.webhooks.settled();
  }

  addToken(spec: string | TokenSpec): void {
    this.#state.tokens.add(spec);
  }

  revokeToken(token: string): boolean {
    return this.#state.tokens.revoke(token);
  }

  now(): Date {
    return new Date(this.#clock.now());
  }

  advanceClock(ms: number): Date {
    this.#clock.advance(ms);
    return this.now();
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = req.url ?? '/';
    if (path === CONTROL_PREFIX || path.startsWith(`${CONTROL_PREFIX}/`)) {
      return handleControlRequest(req, res, this);
    }
    return handleApiRequest(req, res, this.#pipeline);
  }
}

function subscriptionInfo(record: SubscriptionRecord): SubscriptionInfo {
  const { id, endpointUrl, eventTypes, secret } = record;
  return { id, endpointUrl, eventTypes: [...eventTypes], secret };
}
