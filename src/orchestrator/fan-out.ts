/**
 * A poll with organisation-level credentials: one listing of every company's
 * jobs, then only the lanes with something to do are woken, each handed its
 * share of that listing. Ten thousand quiet companies cost one list call and
 * no machine steps per tick.
 */
import type { Logger } from 'pino';
import type { ListJobsResult, PleoClient } from '../pleo/client.js';
import type { ExportJob } from '../pleo/schemas.js';
import type { Lane } from './lane.js';

const ELIGIBLE = new Set(['pending', 'in_progress']);

export class FanOutPoll {
  readonly #client: PleoClient;
  readonly #logger: Logger;
  #running = false;

  constructor(client: PleoClient, logger: Logger) {
    this.#client = client;
    this.#logger = logger;
  }

  /**
   * Lists once and wakes the lanes that need it. `wake` must trigger the lane
   * at once: the listing is handed only to a detection that starts during
   * the call, never kept for a later one that a newer trigger asked for.
   */
  async tick(lanes: readonly Lane[], wake: (lane: Lane) => void): Promise<void> {
    // A tick while the last listing is still paging adds nothing.
    if (this.#running) return;
    this.#running = true;
    try {
      let listing: ListJobsResult;
      try {
        listing = await this.#client.listJobs({});
      } catch (error) {
        // Let every lane detect on its own: each then backs off, or stops on
        // rejected credentials, by its own rules.
        this.#logger.warn({ err: error }, 'shared poll listing failed; every lane detects');
        for (const lane of lanes) wake(lane);
        return;
      }
      const byCompany = groupEligible(listing.jobs);
      for (const lane of lanes) {
        const jobs = byCompany.get(lane.companyId) ?? [];
        if (jobs.length === 0 && !lane.hasOpenWork()) continue;
        lane.offerListing({ ...listing, jobs });
        try {
          wake(lane);
        } finally {
          lane.offerListing(undefined);
        }
      }
    } finally {
      this.#running = false;
    }
  }
}

function groupEligible(jobs: readonly ExportJob[]): Map<string | undefined, ExportJob[]> {
  const groups = new Map<string | undefined, ExportJob[]>();
  for (const job of jobs) {
    if (!ELIGIBLE.has(job.status)) continue;
    const group = groups.get(job.companyId);
    if (group) group.push(job);
    else groups.set(job.companyId, [job]);
  }
  return groups;
}
