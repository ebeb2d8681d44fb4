import { afterEach, describe, expect, it } from 'vitest';
import { drain, startHarness, type Harness } from './harness.js';

let harness: Harness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
});

const at = (minute: number) => `2026-11-30T09:${String(minute).padStart(2, '0')}:00Z`;

describe('orchestrator against the emulator', () => {
  it('processes every job oldest first, following every page', async () => {
    harness = await startHarness({ pageSize: 2 });
    const ids = [5, 1, 4, 2, 3].map((m) => harness!.emulator.createJob({ createdAt: at(m) }));
    await drain(harness);
    const expected = [...ids]
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
      .map((j) => j.id);
    expect(harness.processed).toEqual(expected);
    expect(harness.emulator.jobs().every((j) => j.status === 'completed')).toBe(true);
    const lists = harness.emulator.requests({ route: 'listJobs' });
    expect(lists.some((r) => r.query.after !== undefined)).toBe(true);
  });

  it('orders mixed offsets and fractional seconds as instants, ties by id', async () => {
    harness = await startHarness();
    const { emulator } = harness;
    const late = emulator.createJob({ createdAt: '2026-11-30T09:30:00Z' });
    const early = emulator.createJob({ createdAt: '2026-11-30T10:00:00+01:00' });
    const frac = emulator.createJob({ createdAt: '2026-11-30T09:00:00.5Z' });
    const tieB = emulator.createJob({
      id: 'bbbbbbbb-0000-4000-8000-000000000000',
      createdAt: '2026-11-30T08:00:00Z',
    });
    const tieA = emulator.createJob({
      id: 'aaaaaaaa-0000-4000-8000-000000000000',
      createdAt: '2026-11-30T09:00:00+01:00',
    });
    await drain(harness);
    expect(harness.processed).toEqual([tieA.id, tieB.id, early.id, frac.id, late.id]);
  });

  it('never touches terminal jobs, even when the server ignores the status filter', async () => {
    harness = await startHarness();
    const { emulator } = harness;
    const done = emulator.createJob({ createdAt: at(1), status: 'completed' });
    const failed = emulator.createJob({ createdAt: at(2), status: 'failed' });
    const open = emulator.createJob({ createdAt: at(3) });
    emulator.addFault({ kind: 'ignoreStatusFilter', route: 'listJobs' });
    emulator.addFault({ kind: 'ignoreSorting', route: 'listJobs' });
    await drain(harness);
    expect(harness.processed).toEqual([open.id]);
    const touched = harness.writes().map((w) => (w.body as { jobId?: string })?.jobId ?? w.path);
    expect(touched.join(' ')).not.toContain(done.id);
    expect(touched.join(' ')).not.toContain(failed.id);
  });

  it('makes no state-changing request while detecting', async () => {
    harness = await startHarness({ preChecks: [() => false] });
    harness.emulator.createJob({ createdAt: at(1) });
    await drain(harness);
    expect(harness.writes()).toEqual([]);
    expect(harness.emulator.requests().every((r) => r.method === 'GET')).toBe(true);
  });

  it('leaves the job pending when a pre-check fails or throws, and says why', async () => {
    harness = await startHarness({
      preChecks: [
        { name: 'erp reachable', check: () => ({ ok: false, reason: 'ERP answered 503' }) },
        { name: 'mapping', check: () => { throw new Error('no account map'); } },
      ],
    });
    const job = harness.emulator.createJob({ createdAt: at(1) });
    await drain(harness);
    expect(harness.emulator.getJob(job.id)?.status).toBe('pending');
    const failed = harness.events.find((e) => e.type === 'precheck:failed');
    expect(failed).toMatchObject({
      jobId: job.id,
      failures: [
        { name: 'erp reachable', reason: 'ERP answered 503' },
        { name: 'mapping', reason: expect.stringContaining('no account map') },
      ],
    });
    expect(harness.orchestrator.status().state).toBe('idle');
  });

  for (const conflictStatus of [400, 409, 422] as const) {
    const title = `after losing a claim race (${conflictStatus}) takes the next job, `
      + 'with one started for the lost one';
    it(title, async () => {
      const lostRace = new Set<string>();
      harness = await startHarness(
        {
          // Another worker claims the oldest job between our detection and our claim.
          preChecks: [(job) => {
            if (lostRace.size === 0) {
              lostRace.add(job.id);
              harness!.emulator.applyJobEvent({ event: 'started', jobId: job.id });
            }
            return true;
          }],
        },
        { conflictStatus },
      );
      const first = harness.emulator.createJob({ createdAt: at(1) });
      const second = harness.emulator.createJob({ createdAt: at(2) });
      await drain(harness);
      expect(harness.startedFor(first.id)).toBe(1);
      expect(harness.processed).toEqual([second.id]);
      expect(harness.orchestrator.status().counters.conflicts).toBe(1);
      expect(harness.emulator.getJob(first.id)?.status).toBe('in_progress');
      const lists = harness.emulator.requests({ route: 'listJobs' }).length;
      expect(lists).toBeGreaterThanOrEqual(2);
    });
  }

  it('recovers from 5xx and 429 answers while detecting', async () => {
    harness = await startHarness();
    harness.emulator.addFault({ kind: 'status', status: 503, route: 'listJobs', times: 5 });
    harness.emulator.addFault({ kind: 'rateLimit', retryAfter: 0, route: 'listJobs', times: 3 });
    const job = harness.emulator.createJob({ createdAt: at(1) });
    harness.orchestrator.trigger('manual');
    await waitUntil(() => harness!.emulator.getJob(job.id)?.status === 'completed', 10_000);
    expect(harness.processed).toEqual([job.id]);
    const failed = harness.emulator.requests({ route: 'listJobs' }).filter((r) => r.status !== 200);
    expect(failed.length).toBe(8);
  });

  it('coalesces a burst of triggers during a cycle into at most one extra detection', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    harness = await startHarness({
      processor: async () => {
        await gate;
        return { status: 'completed' };
      },
    });
    harness.emulator.createJob({ createdAt: at(1) });
    harness.orchestrator.trigger('manual');
    await waitUntil(() => harness!.orchestrator.status().state === 'claimed.processing', 5_000);
    const before = harness.emulator.requests({ route: 'listJobs' }).length;
    for (let i = 0; i < 500; i++) harness.orchestrator.trigger(i % 2 ? 'webhook' : 'schedule');
    release();
    await harness.orchestrator.settled();
    const after = harness.emulator.requests({ route: 'listJobs' }).length;
    // One drain detection after the job, at most one more for the burst.
    expect(after - before).toBeLessThanOrEqual(2);
  });

  it('spreads a storm of triggers into one detection per gap', async () => {
    harness = await startHarness({ minDetectionGapMs: 1_000 });
    const started = performance.now();
    for (let batch = 0; batch < 100; batch++) {
      for (let i = 0; i < 10; i++) harness.orchestrator.trigger('webhook');
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const stormMs = performance.now() - started;
    await harness.orchestrator.settled();
    // The first trigger detects at once; the rest wait for the next gap. A
    // storm shorter than the gap (the usual case) costs two detections.
    const allowed = 1 + Math.ceil(stormMs / 1_000);
    expect(harness.orchestrator.status().counters.detections).toBeLessThanOrEqual(allowed);
    expect(harness.emulator.requests({ route: 'listJobs' }).length).toBeLessThanOrEqual(allowed);
    expect(harness.emulator.requests({ route: 'listJobs' }).length).toBeLessThan(10);
  });

  it('stops promptly when asked during processing in a later cycle', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    harness = await startHarness({
      processor: async () => {
        calls += 1;
        if (calls === 2) await gate;
        return { status: 'completed' };
      },
    });
    const second = harness.emulator.createJob({ createdAt: at(2) });
    harness.emulator.createJob({ createdAt: at(1) });
    harness.orchestrator.trigger('manual');
    await waitUntil(() => calls === 2, 5_000);
    const started = performance.now();
    const stopping = harness.orchestrator.stop(10_000);
    setTimeout(release, 50);
    await stopping;
    expect(performance.now() - started).toBeLessThan(2_000);
    // The job being processed was let finish and reported before stopping.
    expect(harness.emulator.getJob(second.id)?.status).toBe('completed');
    expect(harness.orchestrator.status()).toMatchObject({ state: 'stopped', running: false });
  });

  it('reports a throwing processor as failed and carries on with the next job', async () => {
    let calls = 0;
    harness = await startHarness({
      processor: async () => {
        calls += 1;
        if (calls === 1) throw new Error('ERP rejected the voucher');
        return { status: 'completed' };
      },
    });
    const first = harness.emulator.createJob({ createdAt: at(1) });
    const second = harness.emulator.createJob({ createdAt: at(2) });
    await drain(harness);
    expect(harness.emulator.getJob(first.id)).toMatchObject({
      status: 'failed',
      failureReason: expect.stringContaining('ERP rejected the voucher'),
    });
    expect(harness.emulator.getJob(second.id)?.status).toBe('completed');
  });

  it('without a processor waits for finish() from the host', async () => {
    harness = await startHarness({ processor: undefined });
    const job = harness.emulator.createJob({ createdAt: at(1) });
    const status = await drain(harness);
    expect(status.state).toBe('claimed.awaitingHost');
    expect(harness.orchestrator.finish('someone-else', { status: 'completed' })).toBe(false);
    expect(harness.orchestrator.finish(job.id, { status: 'completed_with_errors' })).toBe(true);
    const ended = () => harness!.emulator.getJob(job.id)?.status === 'completed_with_errors';
    await waitUntil(ended, 5_000);
  });

  it('stops in fatal when the credentials are rejected', async () => {
    harness = await startHarness();
    harness.emulator.revokeToken(harness.emulator.token);
    const status = await drain(harness);
    expect(status.state).toBe('fatal');
    expect(status.lastFailure?.code).toBe('PLEO_AUTH_REJECTED');
  });
});

async function waitUntil(predicate: () => boolean, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('draining a backlog', () => {
  it('lists once per page, not once per job, and still goes oldest first', async () => {
    harness = await startHarness({ pageSize: 10 });
    const created = Array.from({ length: 25 }, (_, i) =>
      harness!.emulator.createJob({ createdAt: at(59 - i) }));
    await drain(harness);
    const oldestFirst = [...created].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    expect(harness.processed).toEqual(oldestFirst.map((j) => j.id));
    const lists = harness.emulator.requests({ route: 'listJobs' }).length;
    // Three pages for the first listing, one page for the final empty check.
    expect(lists).toBe(4);
    const events = harness.emulator.requests({ route: 'jobEvents' }).length;
    expect(events).toBe(50);
  });

  it('takes a fresh listing after the next listed job was taken by another worker', async () => {
    harness = await startHarness();
    const [first, second, third] = [1, 2, 3].map((m) =>
      harness!.emulator.createJob({ createdAt: at(m) }));
    harness.orchestrator.subscribe((event) => {
      // While the first job is processed, another worker claims the second.
      if (event.type === 'job:processing' && event.jobId === first!.id) {
        harness!.emulator.applyJobEvent({ event: 'started', jobId: second!.id });
      }
    });
    await drain(harness);
    expect(harness.processed).toEqual([first!.id, third!.id]);
    expect(harness.startedFor(second!.id)).toBe(1);
    expect(harness.orchestrator.status().counters.conflicts).toBe(1);
    expect(harness.emulator.requests({ route: 'listJobs' }).length).toBeGreaterThanOrEqual(2);
  });
});

describe('host steps that never end', () => {
  it('fails a hung pre-check after its time limit and leaves the job pending', async () => {
    harness = await startHarness({
      preCheckTimeoutMs: 50,
      preChecks: [{ name: 'erp ping', check: () => new Promise<boolean>(() => {}) }],
    });
    const job = harness.emulator.createJob({ createdAt: at(1) });
    await drain(harness);
    expect(harness.emulator.getJob(job.id)?.status).toBe('pending');
    expect(harness.events.find((e) => e.type === 'precheck:failed')).toMatchObject({
      failures: [{ name: 'erp ping', reason: expect.stringContaining('longer than 50 ms') }],
    });
  });

  it('aborts a hung processor after its time limit, reports it failed, and goes on', async () => {
    let aborted = false;
    harness = await startHarness({
      processorTimeoutMs: 50,
      processor: (job, { signal }) => {
        if (job.createdAt !== at(1)) return Promise.resolve({ status: 'completed' as const });
        signal.addEventListener('abort', () => (aborted = true));
        return new Promise(() => {});
      },
    });
    const hung = harness.emulator.createJob({ createdAt: at(1) });
    const next = harness.emulator.createJob({ createdAt: at(2) });
    await drain(harness);
    expect(aborted).toBe(true);
    expect(harness.emulator.getJob(hung.id)).toMatchObject({
      status: 'failed',
      failureReasonType: 'accounting_system_timeout',
    });
    expect(harness.emulator.getJob(next.id)?.status).toBe('completed');
  });
});

describe('a job whose claim Pleo refuses', () => {
  it('is set aside, so it does not block the jobs behind it', async () => {
    harness = await startHarness();
    const refused = harness.emulator.createJob({ createdAt: at(1) });
    const next = harness.emulator.createJob({ createdAt: at(2) });
    harness.emulator.addFault({
      kind: 'status',
      status: 404,
      route: 'jobEvents',
      jobId: refused.id,
      body: { type: 'NOT_FOUND', message: 'No such export job' },
    });
    await drain(harness);
    expect(harness.processed).toEqual([next.id]);
    expect(harness.startedFor(refused.id)).toBe(1);
    expect(harness.events.find((e) => e.type === 'claim:failed')).toMatchObject({
      jobId: refused.id,
    });
  });
});

describe('the host\'s own code misbehaving', () => {
  it('a subscribe() listener that throws is logged, and the job still finishes', async () => {
    harness = await startHarness();
    harness.orchestrator.subscribe(() => {
      throw new Error('metrics down');
    });
    const job = harness.emulator.createJob({ createdAt: at(1) });
    await drain(harness);
    expect(harness.emulator.getJob(job.id)?.status).toBe('completed');
    expect(() => harness!.orchestrator.subscribe(5 as never)).toThrow(/takes a function/);
  });

  it('adopt() refuses a job whose claim outcome is not unknown', async () => {
    harness = await startHarness();
    const theirs = harness.emulator.createJob({ createdAt: at(1) });
    harness.emulator.applyJobEvent({ event: 'started', jobId: theirs.id });
    await drain(harness);
    expect(harness.orchestrator.adopt(theirs.id)).toBe(false);
    expect(harness.processed).toEqual([]);
  });
});
