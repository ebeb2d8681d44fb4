/**
 * A real orchestrator wired to a real emulator over loopback HTTP, with
 * short backoffs, and a processor that records what it was given.
 */
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import {
  createExportOrchestrator,
  type ExportOrchestrator,
} from '../../src/orchestrator/orchestrator.js';
import type { OrchestratorOptions } from '../../src/orchestrator/options.js';
import type { JobOutcome, OrchestratorEvent } from '../../src/orchestrator/types.js';
import { MemoryStateStore } from '../../src/persistence/state-store.js';

export interface Harness {
  emulator: Emulator;
  orchestrator: ExportOrchestrator;
  processed: string[];
  events: OrchestratorEvent[];
  /** State-changing requests (job events, item updates) in arrival order. */
  writes(): Array<{ method: string; path: string; body: unknown }>;
  startedFor(jobId: string): number;
  close(): Promise<void>;
}

export async function startHarness(
  options: Partial<OrchestratorOptions> = {},
  emulatorOptions: EmulatorOptions = {},
): Promise<Harness> {
  const emulator = await startEmulator({ seed: 7, expireJobs: false, ...emulatorOptions });
  const processed: string[] = [];
  const events: OrchestratorEvent[] = [];
  const orchestrator = createExportOrchestrator({
    apiUrl: emulator.url,
    credentials: { token: emulator.token },
    schedule: false,
    detectOnStart: false,
    store: new MemoryStateStore(),
    conflictBackoffMs: { min: 1, max: 5 },
    retryBackoffMs: { base: 5, max: 20 },
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    requestTimeoutMs: 2_000,
    processor: async (job): Promise<JobOutcome> => {
      processed.push(job.id);
      return { status: 'completed' };
    },
    ...options,
  });
  orchestrator.subscribe((event) => events.push(event));
  await orchestrator.start();
  return {
    emulator,
    orchestrator,
    processed,
    events,
    writes: () =>
      emulator
        .requests()
        .filter((r) => r.method !== 'GET')
        .map(({ method, path, body }) => ({ method, path, body })),
    startedFor: (jobId) =>
      emulator.requests({ method: 'POST' }).filter((r) => {
        const body = r.body as { event?: string; jobId?: string } | undefined;
        return body?.event === 'started' && body.jobId === jobId;
      }).length,
    close: async () => {
      await orchestrator.stop(1_000);
      await emulator.close();
    },
  };
}

/** Triggers a detection and waits until the orchestrator rests again. */
export async function drain(harness: Harness) {
  harness.orchestrator.trigger('manual');
  return harness.orchestrator.settled();
}
