import { describe, expect, it } from 'vitest';
import { call, postEvent, start } from './harness.js';

describe('the request log', () => {
  it('records the request, with a repeated query key as an array, at the clock', async () => {
    const emulator = await start({ now: () => Date.parse('2026-11-30T09:00:00Z') });
    const query = 'statuses=pending&statuses=in_progress&limit=2';
    await call(emulator, 'GET', `/v3/export-jobs?${query}`);

    expect(emulator.requests()).toEqual([
      {
        seq: 1,
        method: 'GET',
        path: '/v3/export-jobs',
        route: 'listJobs',
        query: { statuses: ['pending', 'in_progress'], limit: '2' },
        body: undefined,
        time: '2026-11-30T09:00:00.000Z',
        auth: 'bearer:default',
        status: 200,
        outcome: 'answered',
        faults: [],
      },
    ]);
  });

  it('keeps a JSON body parsed and any other body as text', async () => {
    const emulator = await start();
    const job = emulator.createJob();
    await postEvent(emulator, 'started', job.id);
    await call(emulator, 'POST', '/v3/export-job-events', {
      rawBody: 'event=started',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    const [json, text] = emulator.requests();
    expect(json).toMatchObject({ body: { event: 'started', jobId: job.id }, jobId: job.id });
    expect(text).toMatchObject({ body: 'event=started', status: 400 });
  });

  it('filters by route, job, method and status', async () => {
    const emulator = await start();
    const job = emulator.createJob();
    await postEvent(emulator, 'started', job.id);
    await postEvent(emulator, 'started', job.id);
    await call(emulator, 'GET', `/v3/export-jobs/${job.id}`);

    expect(emulator.requests({ jobId: job.id })).toHaveLength(3);
    expect(emulator.requests({ route: 'jobEvents', status: 400 })).toHaveLength(1);
    expect(emulator.requests({ method: 'get' })).toHaveLength(1);
  });

  it('starts over after clearRequests', async () => {
    const emulator = await start();
    await call(emulator, 'GET', '/v3/export-jobs');
    emulator.clearRequests();
    await call(emulator, 'GET', '/v3/export-jobs');
    expect(emulator.requests().map((r) => r.seq)).toEqual([1]);
  });

  it('hands out copies that cannot change the log', async () => {
    const emulator = await start();
    await call(emulator, 'GET', '/v3/export-jobs');
    const [entry] = emulator.requests();
    entry!.status = 999;
    expect(emulator.requests()[0]?.status).toBe(200);
  });
});
