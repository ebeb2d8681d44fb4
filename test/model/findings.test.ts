/**
 * Faults the model-based tests turned up, kept as tests of the behaviour
 * the design asks for.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { MemoryStateStore, type StoredState } from '../../src/persistence/state-store.js';
import { startHarness, type Harness } from '../orchestrator/harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close().catch(() => undefined);
  harness = undefined;
});

const waitFor = async (condition: () => boolean, ms = 1_000) => {
  const until = Date.now() + ms;
  while (!condition() && Date.now() < until) await new Promise((r) => setTimeout(r, 5));
};

describe('known deviations from the design', () => {
  // A trigger in `fatal` must not be acknowledged and lost: it is refused (a
  // webhook is then delivered again), and recovering detects at once.
  it('a trigger while fatal is refused, and the host\'s recover() detects at once', async () => {
    harness = await startHarness({ minDetectionGapMs: 0, retry: { maxAttempts: 1 } });
    const { emulator, orchestrator } = harness;
    emulator.addFault({ kind: 'status', status: 401, route: 'listJobs', times: 1 });
    expect((await (orchestrator.trigger('manual'), orchestrator.settled())).state).toBe('fatal');
    emulator.createJob({});

    const accepted = orchestrator.trigger('webhook');
    expect(orchestrator.recover()).toBe(true);
    await waitFor(() => orchestrator.status().counters.detections > 1);
    expect(accepted).toBe(false);
    expect(orchestrator.status().counters.detections).toBe(2);
  });

  // One failed write of a claim intent sends the machine to retryWait, and the
  // next attempt claims and completes the job: stop() must not keep failing
  // with the first error once later writes succeeded.
  it('stop() resolves once a failed state write was recovered from', async () => {
    let failures = 1;
    class FlakyStore extends MemoryStateStore {
      override async save(key: string, state: StoredState): Promise<void> {
        if (state.claimIntent && failures > 0) {
          failures -= 1;
          throw new Error('disk full');
        }
        return super.save(key, state);
      }
    }
    harness = await startHarness({ minDetectionGapMs: 0, store: new FlakyStore() });
    const job = harness.emulator.createJob({});
    harness.orchestrator.trigger('manual');
    await waitFor(() => harness!.emulator.getJob(job.id)?.status === 'completed');
    expect(harness.emulator.getJob(job.id)?.status).toBe('completed');
    await expect(harness.orchestrator.stop(1_000)).resolves.toBeUndefined();
  });
});
