/**
 * The client of Pleo's Export API v3 that the orchestrator and host
 * processors use. Reads and item updates are retried by policy; POSTs are
 * not (see `Caller.post` for why).
 */
import { z } from 'zod';
import { Caller } from './caller.js';
import { type PleoClientOptions, resolveClientOptions } from './client-options.js';
import { decodeJson } from './decode.js';
import { JobCollector, listJobsQuery, type ListJobsResult } from './job-list.js';
import { followPages } from './paging.js';
import {
  ELIGIBLE_STATUSES,
  type ExportItem,
  ExportItemSchema,
  type ExportJob,
  type ExportJobItem,
  ExportJobItemSchema,
  type ItemUpdate,
  type ItemUpdateResponse,
  ItemUpdateResponseSchema,
  JobEnvelopeSchema,
  type JobEventBody,
  MAX_ITEMS_PER_UPDATE,
  PageSchema,
  type Subscription,
  SubscriptionSchema,
} from './schemas.js';

export type { PleoClientOptions } from './client-options.js';
export type { CredentialsSource, PleoCredentials } from './credentials.js';
export type { RequestInfo } from './http.js';
export type { InvalidJobRecord, ListJobsResult } from './job-list.js';
export { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';

/** Options every call accepts. */
export interface CallOptions {
  /** Aborts the request and any wait before a retry. */
  signal?: AbortSignal;
}

export interface ListJobsOptions extends CallOptions {
  /** Needed with organisation-level credentials. */
  companyId?: string;
  /** Default `['pending', 'in_progress']`. */
  statuses?: string[];
}

// Pleo documents the subscription answers loosely: with or without `data`.
const SubscriptionAnswerSchema = z.union([
  z.looseObject({ data: SubscriptionSchema }).transform((answer) => answer.data),
  SubscriptionSchema,
]);
const SecretSchema = z.looseObject({ secret: z.string().min(1) });
const SecretAnswerSchema = z.union([
  z.looseObject({ data: SecretSchema }).transform((answer) => answer.data.secret),
  SecretSchema.transform((answer) => answer.secret),
]);

const jobPath = (jobId: string): string => `/v3/export-jobs/${encodeURIComponent(jobId)}`;

/**
 * Talks to Pleo's Export API. Build it with {@link createPleoClient}.
 *
 * @example
 * const client = createPleoClient({ baseUrl, credentials: { token } });
 * const { jobs } = await client.listJobs({ companyId });
 */
export class PleoClient {
  readonly #caller: Caller;
  readonly #maxPages: number;
  readonly #pageSize: number;

  constructor(options: PleoClientOptions) {
    const resolved = resolveClientOptions(options);
    const logger = options.logger?.child({ component: 'pleo-client' });
    this.#maxPages = resolved.maxPages;
    this.#pageSize = resolved.pageSize;
    this.#caller = new Caller({
      transport: {
        baseUrl: resolved.baseUrl,
        credentials: resolved.credentials,
        timeoutMs: resolved.requestTimeoutMs,
        userAgent: resolved.userAgent,
        dispatcher: options.dispatcher,
        logger,
        onRequest: options.onRequest,
        gate: options.gate
          ? { instance: options.gate, lane: options.gateLane ?? 'default' }
          : undefined,
      },
      policy: resolved.retry,
      random: resolved.random,
      pageSize: resolved.pageSize,
      maxPages: resolved.maxPages,
      logger,
    });
  }

  /**
   * Lists the jobs in the given statuses across every page. Records that
   * fail the schema are returned in `invalid`, not thrown.
   *
   * @example
   * const { jobs, invalid, pages } = await client.listJobs({ companyId });
   */
  async listJobs(options: ListJobsOptions = {}): Promise<ListJobsResult> {
    const { companyId, signal } = options;
    const statuses = options.statuses ?? [...ELIGIBLE_STATUSES];
    const collector = new JobCollector();
    const counter = { requests: 0 };

    const pages = await followPages({
      what: 'GET /v3/export-jobs',
      maxPages: this.#maxPages,
      fetchPage: (after) => {
        const limit = this.#pageSize;
        const query = listJobsQuery({ companyId, statuses, limit, after });
        const call = { method: 'GET', path: `/v3/export-jobs?${query}`, signal } as const;
        return this.#caller.read(call, PageSchema, { counter });
      },
      onPage: (records, page) => collector.add(records, page),
    });
    return collector.result(pages, counter.requests);
  }

  /**
   * Reads one job.
   *
   * @example
   * const job = await client.getJob(jobId);
   */
  async getJob(jobId: string, options: CallOptions = {}): Promise<ExportJob> {
    const { signal } = options;
    const call = { method: 'GET', path: jobPath(jobId), signal, jobId } as const;
    const envelope = await this.#caller.read(call, JobEnvelopeSchema);
    return envelope.data;
  }

  /**
   * Sends a job event (`started` claims the job). A refused status change
   * rejects with a `StatusConflictError`; a timeout or reset leaves the
   * outcome unknown (see `isAmbiguousOutcome`).
   *
   * @example
   * await client.sendJobEvent({ event: 'started', jobId });
   */
  async sendJobEvent(body: JobEventBody, options: CallOptions = {}): Promise<void> {
    const { signal } = options;
    const path = '/v3/export-job-events';
    // Pleo answers a plain sentence here, so a 2xx body is not decoded. But
    // one that claims to be JSON and is not came from something else (a
    // proxy's page): the event may not have been applied, which the caller
    // learns by reading the job.
    const call = { method: 'POST', path, body, signal, jobId: body.jobId } as const;
    const answer = await this.#caller.post(call);
    if (/\bjson\b/i.test(answer.contentType ?? '') && answer.text.trim() !== '') {
      const context = { method: 'POST', path, jobId: body.jobId, secrets: answer.secrets };
      decodeJson(answer.text, z.unknown(), context);
    }
  }

  /**
   * Reads every item of a job, all pages. An unreadable item throws a
   * `SchemaError` rather than go missing from the export.
   *
   * @example
   * const items = await client.listJobItems(jobId);
   */
  async listJobItems(jobId: string, options: CallOptions = {}): Promise<ExportJobItem[]> {
    const path = `${jobPath(jobId)}/items`;
    const call = { jobId, signal: options.signal };
    return this.#caller.readAll(path, new URLSearchParams(), ExportJobItemSchema, call);
  }

  /**
   * Sets item statuses, in calls of at most {@link MAX_ITEMS_PER_UPDATE},
   * and merges the answers. Should a later call fail, earlier ones stay
   * applied; sending all items again is safe (PUT is idempotent).
   *
   * @example
   * const { errors } = await client.updateJobItems(jobId, updates);
   */
  async updateJobItems(
    jobId: string,
    items: ItemUpdate[],
    options: CallOptions = {},
  ): Promise<ItemUpdateResponse> {
    const path = `${jobPath(jobId)}/items`;
    const merged: Required<ItemUpdateResponse> = { data: [], errors: [] };

    for (let start = 0; start < items.length; start += MAX_ITEMS_PER_UPDATE) {
      const body = items.slice(start, start + MAX_ITEMS_PER_UPDATE);
      const call = { method: 'PUT', path, body, signal: options.signal, jobId } as const;
      const answer = await this.#caller.read(call, ItemUpdateResponseSchema);
      merged.data.push(...answer.data);
      merged.errors.push(...(answer.errors ?? []));
    }
    return merged;
  }

  /**
   * Reads the accounting data of every item of a job, all pages.
   *
   * @example
   * const entries = await client.listExportItems(jobId);
   */
  async listExportItems(jobId: string, options: CallOptions = {}): Promise<ExportItem[]> {
    const query = new URLSearchParams({ job_id: jobId });
    const call = { jobId, signal: options.signal };
    return this.#caller.readAll('/v3/export-items', query, ExportItemSchema, call);
  }

  /**
   * Subscribes an endpoint to webhook events. Like every POST, it is not
   * retried once it may have reached Pleo.
   *
   * @example
   * const subscription = await client.createSubscription({
   *   endpointUrl: 'https://host.example/pleo/webhook',
   *   eventTypes: ['v1.export-job.created'],
   * });
   */
  async createSubscription(
    input: { endpointUrl: string; eventTypes: string[] },
    options: CallOptions = {},
  ): Promise<Subscription> {
    const { signal } = options;
    const where = { method: 'POST', path: '/v1/subscriptions' } as const;
    const answer = await this.#caller.post({ ...where, body: input, signal });
    const { secrets } = answer;
    return decodeJson(answer.text, SubscriptionAnswerSchema, { ...where, secrets });
  }

  /**
   * Reads the signing secret (`whsec_…`) of a subscription. Its body is
   * never quoted in an error, since it holds the secret.
   *
   * @example
   * const secret = await client.getSubscriptionSecret(subscription.id);
   */
  async getSubscriptionSecret(id: string, options: CallOptions = {}): Promise<string> {
    const path = `/v1/subscriptions/${encodeURIComponent(id)}/secret`;
    const call = { method: 'GET', path, signal: options.signal } as const;
    return this.#caller.read(call, SecretAnswerSchema, { sensitive: true });
  }
}

/**
 * Builds a {@link PleoClient}, checking the options first.
 *
 * @example
 * const client = createPleoClient({
 *   baseUrl: 'https://external.pleo.io',
 *   credentials: async () => ({ token: await oauth.accessToken() }),
 *   logger,
 * });
 */
export function createPleoClient(options: PleoClientOptions): PleoClient {
  return new PleoClient(options);
}
