/**
 * An orchestrator in the test's own process, for faults that need short
 * deadlines: the CLI has no flag for the request timeout (10 s by default),
 * the library has. Its processor reads and reports each job's items through
 * the client, with no retries of its own, so the client's policy is what
 * gets tested.
 */
import type { Emulator } from '../../../src/emulator/index.js';
import {
  createExportOrchestrator,
  type ExportOrchestrator,
} from '../../../src/orchestrator/orchestrator.js';
import type { OrchestratorOptions } from '../../../src/orchestrator/options.js';
import type { ExportJob } from '../../../src/pleo/schemas.js';
import type { OrchestratorEvent } from '../../../src/orchestrator/types.js';
import { MemoryStateStore } from '../../../src/persistence/state-store.js';

export interface InProcess {
  orchestrator: ExportOrchestrator;
  store: MemoryStateStore;
  /** Job ids, once per processor run. */
  runs: string[];
  events: OrchestratorEvent[];
  /** Triggers a detection and waits until it rests; rejects when it does not in time. */
  drain(timeoutMs?: number): Promise<void>;
}

export interface InProcessOptions extends Partial<OrchestratorOptions> {
  /** Called as each run begins, e.g. to aim a fault at the job's outcome report. */
  onRun?: (job: ExportJob) => void;
}

export async function startInProcess(
  emulator: Emulator,
  options: InProcessOptions = {},
): Promise<InProcess> {
  const { onRun, ...overrides } = options;
  const runs: string[] = [];
  const events: OrchestratorEvent[] = [];
  const store = overrides.store instanceof MemoryStateStore
    ? overrides.store
    : new MemoryStateStore();
  const orchestrator = createExportOrchestrator({
    apiUrl: emulator.url,
    credentials: { token: emulator.token },
    schedule: false,
    detectOnStart: false,
    store,
    requestTimeoutMs: 200,
    retry: { baseDelayMs: 1, maxDelayMs: 10, maxRetryAfterMs: 5_000 },
    retryBackoffMs: { base: 20, max: 100 },
    conflictBackoffMs: { min: 1, max: 5 },
    processor: async (job, { client, signal }) => {
      runs.push(job.id);
      onRun?.(job);
      const items = await client.listExportItems(job.id, { signal });
      const statuses = await client.listJobItems(job.id, { signal });
      const done = new Set(statuses.filter((s) => s.status === 'successful')
        .map((s) => s.accountingEntryId));
      const updates = items
        .filter((item) => !done.has(item.accountingEntryId))
        .map((item) => ({
          accountingEntryId: item.accountingEntryId,
          status: 'successful' as const,
        }));
      if (updates.length > 0) await client.updateJobItems(job.id, updates, { signal });
      return { status: 'completed' };
    },
    ...overrides,
  });
  orchestrator.subscribe((event) => events.push(event));
  await orchestrator.start();
  return {
    orchestrator,
    store,
    runs,
    events,
    drain: async (timeoutMs = 8_000) => {
      orchestrator.trigger('manual');
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(
          `the orchestrator did not come to rest within ${timeoutMs} ms; it is in `
          + `${orchestrator.status().state}`,
        )), timeoutMs);
      });
      try {
        await Promise.race([orchestrator.settled(), late]);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
