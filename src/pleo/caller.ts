/**
 * The three ways the client calls Pleo: an idempotent read or PUT (retried
 * by policy), a POST (hardly retried), and a paged listing. Internal to the
 * client; hosts use {@link PleoClient}.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import { ConnectionError } from '../errors.js';
import { decodeJson, decodeRecord } from './decode.js';
import { type HttpAnswer, type HttpCall, sendRequest, type Transport } from './http.js';
import { followPages } from './paging.js';
import { isRetryable, type RetryOptions, type RetryPolicy, withRetry } from './retry.js';
import { PageSchema } from './schemas.js';

/** A call before its attempt number is known. */
export type PlannedCall = Omit<HttpCall, 'attempt'>;

export interface CallerSettings {
  transport: Transport;
  policy: RetryPolicy;
  random: () => number;
  pageSize: number;
  maxPages: number;
  logger?: Logger | undefined;
}

/** Counts HTTP attempts across the calls it is passed to. */
export interface AttemptCounter {
  requests: number;
}

export class Caller {
  readonly #settings: CallerSettings;

  constructor(settings: CallerSettings) {
    this.#settings = settings;
  }

  /** A GET or PUT: idempotent, so retried by policy; decoded per attempt. */
  async read<S extends z.ZodType>(
    call: PlannedCall,
    schema: S,
    extra: { counter?: AttemptCounter; sensitive?: boolean } = {},
  ): Promise<z.infer<S>> {
    const { transport } = this.#settings;
    const run = async (attempt: number): Promise<z.infer<S>> => {
      if (extra.counter) extra.counter.requests += 1;
      const answer = await sendRequest(transport, { ...call, attempt });
      const { method, path, jobId } = call;
      const where = { method, path, jobId, attempt, secrets: answer.secrets };
      return decodeJson(answer.text, schema, { ...where, sensitive: extra.sensitive });
    };
    return withRetry(run, this.#retryOptions(call));
  }

  /** A POST, sent again only when it provably never left. */
  async post(call: PlannedCall): Promise<HttpAnswer> {
    const { transport, policy } = this.#settings;
    // After a timeout or a reset Pleo may have applied the POST: a second
    // `started` could claim the job twice, or meet a conflict that hides
    // that the first one won. The orchestrator reconciles by reading the
    // job. Only a failure before any byte left (refused, name not
    // resolved) is safe to send again.
    const neverLeft = (error: unknown): boolean =>
      error instanceof ConnectionError &&
      !error.mayHaveReachedServer &&
      isRetryable(error, policy);

    const run = (attempt: number): Promise<HttpAnswer> =>
      sendRequest(transport, { ...call, attempt });
    return withRetry(run, { ...this.#retryOptions(call), canRetry: neverLeft });
  }

  /**
   * Every record of every page of `path`, each checked against `schema`;
   * an unreadable record throws a `SchemaError`.
   */
  async readAll<S extends z.ZodType>(
    path: string,
    baseQuery: URLSearchParams,
    schema: S,
    call: { jobId: string; signal?: AbortSignal | undefined },
  ): Promise<Array<z.infer<S>>> {
    const { pageSize, maxPages } = this.#settings;
    const records: Array<z.infer<S>> = [];

    await followPages({
      what: `GET ${path}`,
      maxPages,
      jobId: call.jobId,
      fetchPage: (after) => {
        const query = new URLSearchParams(baseQuery);
        query.set('limit', String(pageSize));
        if (after !== undefined) query.set('after', after);
        const planned = { ...call, method: 'GET', path: `${path}?${query}` } as const;
        return this.read(planned, PageSchema);
      },
      onPage: (page, pageNumber) => {
        page.forEach((record, index) => {
          const where = { method: 'GET', path, jobId: call.jobId, index };
          records.push(decodeRecord(schema, record, { ...where, page: pageNumber }));
        });
      },
    });
    return records;
  }

  #retryOptions(call: PlannedCall): RetryOptions {
    const { policy, random, logger } = this.#settings;
    return {
      policy,
      random,
      signal: call.signal,
      onRetry: ({ attempt, maxAttempts, delayMs, error }) => {
        const { method, path, jobId } = call;
        logger?.warn(
          { method, path, jobId, delayMs, err: error },
          `retrying Pleo request after attempt ${attempt} of ${maxAttempts}`,
        );
      },
    };
  }
}
