/**
 * With organisation-level credentials one list call sees every company's
 * jobs, so lanes that detect at the same moment share one listing instead of
 * paging through the same jobs once per company.
 *
 * Only a listing that has not yet been sent can be joined: every job that
 * existed when a lane asked is then in the answer. A listing already under
 * way may have read its pages before the job that triggered a lane was
 * created, so a lane arriving later waits for the next batch.
 */
import type { ListJobsResult, PleoClient } from '../pleo/client.js';

interface Batch {
  promise: Promise<ListJobsResult>;
}

export class SharedLister {
  readonly #client: PleoClient;
  #open: Batch | undefined;

  constructor(client: PleoClient) {
    this.#client = client;
  }

  /** The jobs of `companyId` from the next listing of all companies. */
  async list(companyId: string | undefined, signal?: AbortSignal): Promise<ListJobsResult> {
    const result = await this.#join();
    signal?.throwIfAborted();
    if (companyId === undefined) return result;
    return {
      ...result,
      jobs: result.jobs.filter((job) => job.companyId === companyId),
    };
  }

  #join(): Promise<ListJobsResult> {
    if (this.#open) return this.#open.promise;
    const batch: Batch = {
      promise: new Promise<void>((resolve) => setImmediate(resolve)).then(() => {
        // From here on the listing is being sent: later lanes start a new batch.
        if (this.#open === batch) this.#open = undefined;
        return this.#client.listJobs({});
      }),
    };
    this.#open = batch;
    return batch.promise;
  }
}
