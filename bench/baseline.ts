/**
 * The baseline: the loop an integration team writes by hand when it does not
 * use this product. Every `intervalMs` it lists the pending jobs (following
 * the pages), sorts them oldest first and, for each, posts `started`, runs
 * the export and posts the outcome. A conflict on `started` means another
 * worker took the job, so it moves on to the next one.
 *
 * It is deliberately plain but not careless: it skips a tick while the last
 * one still runs (else two ticks would claim side by side), asks for 100
 * jobs a page like the product, and keeps the connection alive (Node's
 * fetch does). It does not persist a claim intent, re-read a job whose
 * claim timed out, coalesce triggers or retry reads: that is what the
 * product adds, and it is not free.
 */

export interface BaselineOptions {
  apiUrl: string;
  token: string;
  intervalMs: number;
  /** The export itself; the benchmarks finish at once. */
  process?: (job: ListedJob) => Promise<void>;
  /** Called when `started` was accepted, with `performance.now()`. */
  onClaimed?: (jobId: string, at: number) => void;
}

export interface ListedJob {
  id: string;
  createdAt: string;
  status: string;
}

interface ListPage {
  data: ListedJob[];
  pagination: { hasNextPage: boolean; endCursor: string | null };
}

export class PollingBaseline {
  readonly #options: BaselineOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  /** Ticks that found the previous one still running. */
  skippedTicks = 0;
  errors = 0;

  constructor(options: BaselineOptions) {
    this.#options = options;
  }

  start(): void {
    this.#timer = setInterval(() => void this.tick(), this.#options.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One poll; resolves once every job it found was handled. */
  tick(): Promise<void> {
    if (this.#running) {
      this.skippedTicks += 1;
      return this.#running;
    }
    this.#running = this.#drain()
      .catch(() => {
        // A team's loop logs and waits for the next tick.
        this.errors += 1;
      })
      .finally(() => {
        this.#running = undefined;
      });
    return this.#running;
  }

  async #drain(): Promise<void> {
    const jobs = await this.#listPending();
    // As text: fine while every createdAt is UTC with milliseconds, which
    // is what the emulator writes here; mixed offsets would break it.
    jobs.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
    for (const job of jobs) {
      if (!(await this.#event('started', job.id))) continue;
      this.#options.onClaimed?.(job.id, performance.now());
      await this.#options.process?.(job);
      await this.#event('completed', job.id);
    }
  }

  async #listPending(): Promise<ListedJob[]> {
    const jobs: ListedJob[] = [];
    let after: string | null = null;
    do {
      const query = new URLSearchParams({ statuses: 'pending', limit: '100' });
      if (after) query.set('after', after);
      const page = (await this.#call('GET', `/v3/export-jobs?${query}`)) as ListPage;
      jobs.push(...page.data);
      after = page.pagination.hasNextPage ? page.pagination.endCursor : null;
    } while (after);
    return jobs;
  }

  /** Posts a job event; false when Pleo refused it (someone else's job now). */
  async #event(event: string, jobId: string): Promise<boolean> {
    const response = await this.#fetch('POST', '/v3/export-job-events', { event, jobId });
    await response.arrayBuffer();
    return response.ok;
  }

  async #call(method: string, path: string): Promise<unknown> {
    const response = await this.#fetch(method, path);
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}`);
    return response.json();
  }

  #fetch(method: string, path: string, body?: unknown): Promise<Response> {
    return fetch(`${this.#options.apiUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.#options.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
  }
}
