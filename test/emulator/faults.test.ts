import { describe, expect, it } from 'vitest';
import { ExportJobSchema } from '../../src/pleo/schemas.js';
import type { Emulator, FaultSpec } from '../../src/emulator/index.js';
import {
  bodyOf,
  call,
  jobPage,
  listAllJobIds,
  postEvent,
  start,
  statusOf,
} from './harness.js';

async function withJobs(faults: FaultSpec[], count = 3): Promise<Emulator> {
  const emulator = await start({ faults });
  const base = Date.now() - 60_000;
  for (let i = 0; i < count; i++) {
    emulator.createJob({ createdAt: new Date(base + i * 1_000).toISOString() });
  }
  return emulator;
}

/** The emulator still answers normally: every fault leaves it serving. */
async function expectStillServing(emulator: Emulator): Promise<void> {
  emulator.clearFaults();
  expect((await call(emulator, 'GET', '/v3/export-jobs')).status).toBe(200);
}

describe('latency faults', () => {
  it('delay the answer by a fixed time', async () => {
    const emulator = await withJobs([{ kind: 'latency', ms: 120, route: 'listJobs' }]);
    const started = performance.now();
    await call(emulator, 'GET', '/v3/export-jobs');
    expect(performance.now() - started).toBeGreaterThanOrEqual(110);
  });

  it('draw a delay from a range with the seeded PRNG', async () => {
    const emulator = await withJobs([{ kind: 'latency', ms: { min: 30, max: 60 } }]);
    const started = performance.now();
    await call(emulator, 'GET', '/v3/export-jobs');
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(25);
    expect(elapsed).toBeLessThan(1_000);
  });

  it('in the after phase apply the event first, then answer late', async () => {
    const emulator = await withJobs([{ kind: 'latency', ms: 500, phase: 'after' }], 1);
    const [job] = emulator.jobs();
    let answered = false;
    const reply = postEvent(emulator, 'started', job!.id).finally(() => (answered = true));

    await expect.poll(() => emulator.getJob(job!.id)?.status).toBe('in_progress');
    expect(answered).toBe(false);
    expect((await reply).status).toBe(200);
  });

  it('log a client that gave up while waiting as clientClosed, event applied', async () => {
    const emulator = await withJobs([{ kind: 'latency', ms: 300, phase: 'after' }], 1);
    const [job] = emulator.jobs();
    const reply = call(emulator, 'POST', '/v3/export-job-events', {
      body: { event: 'started', jobId: job!.id },
      timeoutMs: 100,
    });

    await expect(reply).rejects.toThrow();
    expect(emulator.getJob(job!.id)?.status).toBe('in_progress');
    await expect.poll(() => emulator.requests()[0]?.outcome, { timeout: 2_000 }).toBe(
      'clientClosed',
    );
  });
});

describe('error faults', () => {
  it('answer an error status with a JSON body', async () => {
    const emulator = await withJobs([{ kind: 'status', status: 503, route: 'getJob' }]);
    const [job] = emulator.jobs();
    const reply = await call(emulator, 'GET', `/v3/export-jobs/${job!.id}`);
    expect(reply.status).toBe(503);
    expect(reply.json).toMatchObject({ type: 'INTERNAL_SERVER_ERROR' });
    await expectStillServing(emulator);
  });

  it('fire with their probability, the same way for the same seed', async () => {
    const outcomes = async (seed: number) => {
      const emulator = await start({
        seed,
        faults: [{ kind: 'status', status: 500, probability: 0.5 }],
      });
      const statuses: number[] = [];
      for (let i = 0; i < 20; i++) {
        statuses.push((await call(emulator, 'GET', '/v3/export-jobs')).status);
      }
      return statuses;
    };
    const first = await outcomes(42);
    expect(first).toContain(500);
    expect(first).toContain(200);
    expect(await outcomes(42)).toEqual(first);
  });

  it('answer 429 with Retry-After in seconds, or without it', async () => {
    const emulator = await start({
      faults: [
        { kind: 'rateLimit', retryAfter: 7, times: 1 },
        { kind: 'rateLimit', times: 1 },
      ],
    });
    const first = await call(emulator, 'GET', '/v3/export-jobs');
    const second = await call(emulator, 'GET', '/v3/export-jobs');

    expect([first.status, second.status]).toEqual([429, 429]);
    expect(first.headers['retry-after']).toBe('7');
    expect(second.headers['retry-after']).toBeUndefined();
    await expectStillServing(emulator);
  });

  it('send a body that is not JSON', async () => {
    const emulator = await withJobs([{ kind: 'notJson', route: 'listJobs' }]);
    const reply = await call(emulator, 'GET', '/v3/export-jobs');
    expect(reply.status).toBe(200);
    expect(reply.json).toBeUndefined();
    expect(reply.text).toContain('<html>');
  });

  it('stop after `times` firings', async () => {
    const emulator = await start({ faults: [{ kind: 'status', status: 500, times: 2 }] });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      statuses.push(await statusOf(emulator, 'GET', '/v3/export-jobs'));
    }
    expect(statuses).toEqual([500, 500, 200, 200]);
    expect(emulator.faults()).toEqual([]);
  });

  it('can target the events of one job only', async () => {
    const emulator = await withJobs([], 2);
    const [target, other] = emulator.jobs();
    emulator.setFaults([
      { kind: 'status', status: 502, route: 'jobEvents', jobId: target!.id },
    ]);

    expect((await postEvent(emulator, 'started', other!.id)).status).toBe(200);
    expect((await postEvent(emulator, 'started', target!.id)).status).toBe(502);
    expect(emulator.getJob(target!.id)?.status).toBe('pending');
  });

  it('are refused with a TypeError naming the bad field', async () => {
    const emulator = await start();
    expect(() => emulator.setFaults([{ kind: 'status', status: 99 }])).toThrow(/status/);
    const unknownKind = { kind: 'nope' } as unknown as FaultSpec;
    expect(() => emulator.addFault(unknownKind)).toThrow(TypeError);
  });
});

describe('connection faults', () => {
  it('reset the connection without applying the event', async () => {
    const emulator = await withJobs([{ kind: 'reset', route: 'jobEvents', times: 1 }], 1);
    const [job] = emulator.jobs();

    await expect(postEvent(emulator, 'started', job!.id)).rejects.toThrow();
    expect(emulator.getJob(job!.id)?.status).toBe('pending');
    expect(emulator.requests({ route: 'jobEvents' })[0]?.outcome).toBe('reset');
    await expectStillServing(emulator);
  });

  it('reset after applying: the claim took effect, the client saw an error', async () => {
    const emulator = await withJobs([{ kind: 'resetAfterApply', route: 'jobEvents' }], 1);
    const [job] = emulator.jobs();

    await expect(postEvent(emulator, 'started', job!.id)).rejects.toThrow();
    expect(emulator.getJob(job!.id)?.status).toBe('in_progress');
    await expectStillServing(emulator);
  });

  it.each(['nothing', 'headers', 'partialBody'] as const)(
    'hang after sending %s until the client gives up',
    async (send) => {
      const emulator = await withJobs([{ kind: 'hang', send, route: 'listJobs', times: 1 }]);
      const reply = call(emulator, 'GET', '/v3/export-jobs', { timeoutMs: 150 });
      await expect(reply).rejects.toThrow();
      expect(emulator.requests()[0]?.outcome).toBe('hung');
      await expectStillServing(emulator);
    },
  );

  it('hang after applying: the event is applied, the answer never comes', async () => {
    const emulator = await withJobs([{ kind: 'hangAfterApply', route: 'jobEvents' }], 1);
    const [job] = emulator.jobs();

    const reply = call(emulator, 'POST', '/v3/export-job-events', {
      body: { event: 'started', jobId: job!.id },
      timeoutMs: 150,
    });
    await expect(reply).rejects.toThrow();
    expect(emulator.getJob(job!.id)?.status).toBe('in_progress');
  });

  it('leave close() fast while a response hangs', async () => {
    const emulator = await withJobs([{ kind: 'hang', send: 'headers' }]);
    const pending = call(emulator, 'GET', '/v3/export-jobs', { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 50));

    const started = performance.now();
    await emulator.close();
    expect(performance.now() - started).toBeLessThan(500);
    await expect(pending).rejects.toThrow();
  });
});

describe('data faults', () => {
  it.each([
    ['missingId', 'id'],
    ['missingStatus', 'status'],
    ['badCreatedAt', 'createdAt'],
  ] as const)('brokenRecord %s breaks the %s of the first listed job', async (mode, field) => {
    const emulator = await withJobs([{ kind: 'brokenRecord', mode, route: 'listJobs' }]);
    const page = await jobPage(emulator);

    const result = ExportJobSchema.safeParse(page.data[0]);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path[0])).toEqual([field]);
    expect(ExportJobSchema.safeParse(page.data[1]).success).toBe(true);
    expect(emulator.jobs().every((job) => job.id !== undefined)).toBe(true);
  });

  it('brokenRecord breaks a single job answer, and only the answer', async () => {
    const emulator = await withJobs([{ kind: 'brokenRecord', mode: 'badCreatedAt' }], 1);
    const [job] = emulator.jobs();
    const reply = await call(emulator, 'GET', `/v3/export-jobs/${job!.id}`);
    expect(bodyOf<{ data: { createdAt: string } }>(reply).data.createdAt).toBe('not-a-date');
    expect(emulator.getJob(job!.id)?.createdAt).toBe(job!.createdAt);
  });

  it('ignoreSorting serves jobs by id, yet every page still adds up to all jobs', async () => {
    const emulator = await withJobs([{ kind: 'ignoreSorting' }], 12);
    const ids = await listAllJobIds(emulator, 'limit=5&sorting_order=ASC');
    const byCreation = emulator.jobs().map((job) => job.id);

    expect(ids).toEqual([...byCreation].sort());
    expect(ids).not.toEqual(byCreation);
  });

  it('ignoreStatusFilter includes jobs of every status', async () => {
    const emulator = await withJobs([{ kind: 'ignoreStatusFilter' }], 1);
    emulator.createJob({ status: 'completed' });
    const page = await jobPage(emulator, '?statuses=pending');
    expect(page.data.map((job) => job.status).sort()).toEqual(['completed', 'pending']);
  });

  it('stuckCursor hands back the cursor it was given and claims more pages', async () => {
    const emulator = await withJobs([{ kind: 'stuckCursor' }], 4);
    const first = await jobPage(emulator, '?limit=1');
    const after = first.pagination.endCursor!;
    const second = await jobPage(emulator, `?limit=1&after=${encodeURIComponent(after)}`);
    expect(second.pagination).toMatchObject({ endCursor: after, hasNextPage: true });
  });
});

describe('faults at runtime', () => {
  it('can be set, listed and cleared while serving, on every route with *', async () => {
    const emulator = await withJobs([], 1);
    emulator.addFault({ kind: 'status', status: 500, route: '*' });
    const [job] = emulator.jobs();

    expect((await call(emulator, 'GET', `/v3/export-jobs/${job!.id}/items`)).status).toBe(500);
    expect(await statusOf(emulator, 'GET', `/v3/export-items?job_id=${job!.id}`)).toBe(500);
    expect(emulator.faults()).toHaveLength(1);
    emulator.clearFaults();
    expect(await statusOf(emulator, 'GET', `/v3/export-items?job_id=${job!.id}`)).toBe(200);
    expect(emulator.requests().map((r) => r.faults)).toEqual([['status'], ['status'], []]);
  });

  it('come back as the options set them after reset()', async () => {
    const emulator = await start({ faults: [{ kind: 'status', status: 500, times: 1 }] });
    expect((await call(emulator, 'GET', '/v3/export-jobs')).status).toBe(500);
    expect((await call(emulator, 'GET', '/v3/export-jobs')).status).toBe(200);
    emulator.reset();
    expect((await call(emulator, 'GET', '/v3/export-jobs')).status).toBe(500);
  });
});
