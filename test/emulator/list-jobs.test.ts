import { describe, expect, it } from 'vitest';
import { compareInstants, parseInstant } from '../../src/pleo/instant.js';
import { ExportJobSchema, PageSchema } from '../../src/pleo/schemas.js';
import { bodyOf, call, jobPage, listAllJobIds, start, type JobPage } from './harness.js';

// Within an hour of every job below, so none has expired.
const NOW = Date.parse('2026-11-30T09:45:00Z');

/** Jobs whose createdAt strings sort differently as text than as instants. */
const MIXED = [
  { id: '00000000-0000-4000-8000-000000000003', createdAt: '2026-11-30T10:00:00+01:00' },
  { id: '00000000-0000-4000-8000-000000000001', createdAt: '2026-11-30T09:30:00Z' },
  { id: '00000000-0000-4000-8000-000000000002', createdAt: '2026-11-30T09:30:05.5Z' },
  { id: '00000000-0000-4000-8000-000000000004', createdAt: '2026-11-30T09:30:05Z' },
  { id: '00000000-0000-4000-8000-000000000005', createdAt: '2026-11-30T04:30:05-05:00' },
];

async function withMixedJobs(pageSize?: number) {
  const emulator = await start({ now: () => NOW, ...(pageSize ? { pageSize } : {}) });
  for (const job of MIXED) emulator.createJob(job);
  return emulator;
}

describe('GET /v3/export-jobs', () => {
  it('answers the documented envelope with jobs that pass the shared schema', async () => {
    const emulator = await withMixedJobs();
    const reply = await call(emulator, 'GET', '/v3/export-jobs');

    expect(reply.status).toBe(200);
    const page = PageSchema.parse(reply.json);
    expect(page.data).toHaveLength(5);
    for (const job of page.data) expect(ExportJobSchema.safeParse(job).success).toBe(true);
    expect(page.pagination).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: false,
      total: 5,
    });
  });

  it('sorts by createdAt as an instant, not as text, with ties broken by id', async () => {
    const emulator = await withMixedJobs();
    const ids = await listAllJobIds(emulator, 'sorting_keys=createdAt&sorting_order=ASC');

    // 09:00Z (+01:00), 09:30Z, then three jobs at 09:30:05 ordered by id, then 09:30:05.5.
    expect(ids.map((id) => id.slice(-1))).toEqual(['3', '1', '4', '5', '2']);
  });

  it('sorts newest first with sorting_order=DESC', async () => {
    const emulator = await withMixedJobs();
    const ids = await listAllJobIds(emulator, 'sorting_keys=createdAt&sorting_order=DESC');
    expect(ids.map((id) => id.slice(-1))).toEqual(['2', '5', '4', '1', '3']);
  });

  it.each(['ASC', 'DESC'])('follows the cursor across pages in %s order', async (order) => {
    const emulator = await start({ now: () => NOW });
    for (let i = 0; i < 23; i++) {
      emulator.createJob({ createdAt: new Date(NOW - i * 61_000).toISOString() });
    }
    const ids = await listAllJobIds(emulator, `limit=5&sorting_order=${order}`);

    expect(ids).toHaveLength(23);
    expect(new Set(ids).size).toBe(23);
    const instants = ids.map((id) => parseInstant(emulator.getJob(id)?.createdAt ?? '')!);
    const sign = order === 'ASC' ? 1 : -1;
    for (let i = 1; i < instants.length; i++) {
      expect(sign * compareInstants(instants[i - 1]!, instants[i]!)).toBeLessThan(0);
    }
  });

  it('reports the neighbouring pages and the total on a middle page', async () => {
    const emulator = await withMixedJobs();
    const first = bodyOf<JobPage>(await call(emulator, 'GET', '/v3/export-jobs?limit=2'));
    const cursor = encodeURIComponent(first.pagination.endCursor!);
    const second = bodyOf<JobPage>(
      await call(emulator, 'GET', `/v3/export-jobs?limit=2&after=${cursor}`),
    );

    expect(first.pagination).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
    expect(second.pagination).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    expect(second.pagination.total).toBe(5);
    expect(second.pagination.startCursor).not.toBe(first.pagination.endCursor);
  });

  it('keeps a cursor valid when a job on an earlier page changes status', async () => {
    const emulator = await withMixedJobs();
    const query = 'statuses=pending&limit=2';
    const first = bodyOf<JobPage>(await call(emulator, 'GET', `/v3/export-jobs?${query}`));
    emulator.applyJobEvent({ event: 'started', jobId: first.data[0]!.id });

    const rest = await listAllJobIds(emulator, query, first.pagination.endCursor);
    expect(rest.map((id) => id.slice(-1))).toEqual(['4', '5', '2']);
  });

  it('serves 50 jobs per page by default and honours the pageSize option', async () => {
    const byDefault = await start();
    for (let i = 0; i < 51; i++) byDefault.createJob({ numberOfItems: 0 });
    const page = bodyOf<JobPage>(await call(byDefault, 'GET', '/v3/export-jobs'));
    expect(page.data).toHaveLength(50);
    expect(page.pagination.hasNextPage).toBe(true);

    const small = await withMixedJobs(2);
    expect(bodyOf<JobPage>(await call(small, 'GET', '/v3/export-jobs')).data).toHaveLength(2);
  });

  it('filters by repeated statuses and by comma-separated ones', async () => {
    const emulator = await start();
    emulator.createJob({ status: 'pending' });
    emulator.createJob({ status: 'in_progress' });
    emulator.createJob({ status: 'completed' });
    emulator.createJob({ status: 'failed' });

    const repeated = bodyOf<JobPage>(
      await call(emulator, 'GET', '/v3/export-jobs?statuses=pending&statuses=in_progress'),
    );
    const comma = bodyOf<JobPage>(
      await call(emulator, 'GET', '/v3/export-jobs?statuses=pending,in_progress'),
    );
    expect(repeated.data.map((j) => j.status).sort()).toEqual(['in_progress', 'pending']);
    expect(comma.data.map((j) => j.status).sort()).toEqual(['in_progress', 'pending']);
  });

  it('filters by company_id', async () => {
    const emulator = await start();
    const a = '11111111-1111-4111-8111-111111111111';
    emulator.createJob({ companyId: a });
    emulator.createJob({ companyId: '22222222-2222-4222-8222-222222222222' });

    const page = await jobPage(emulator, `?company_id=${a}`);
    expect(page.data.map((j) => j['companyId'])).toEqual([a]);
  });

  it.each([
    ['limit=0', 'INVALID_LIMIT'],
    ['limit=101', 'INVALID_LIMIT'],
    ['limit=ten', 'INVALID_LIMIT'],
    ['statuses=done', 'INVALID_STATUS'],
    ['sorting_keys=id', 'INVALID_SORTING_KEY'],
    ['sorting_order=UP', 'INVALID_SORTING_ORDER'],
    ['after=not-a-cursor', 'INVALID_CURSOR'],
  ])('refuses %s with a 400 of type %s', async (query, type) => {
    const emulator = await withMixedJobs();
    const reply = await call(emulator, 'GET', `/v3/export-jobs?${query}`);
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ type, message: expect.any(String) });
  });
});

describe('GET /v3/export-jobs/{jobId}', () => {
  it('answers the job in a data envelope', async () => {
    const emulator = await start();
    const job = emulator.createJob({ numberOfItems: 4, isInteractive: true });
    const reply = await call(emulator, 'GET', `/v3/export-jobs/${job.id}`);

    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ data: job });
    expect(ExportJobSchema.parse(bodyOf(reply)['data'])).toMatchObject({ numberOfItems: 4 });
  });

  it('answers 404 with a JSON body for an unknown job', async () => {
    const emulator = await start();
    const unknownId = '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d';
    const reply = await call(emulator, 'GET', `/v3/export-jobs/${unknownId}`);
    expect(reply.status).toBe(404);
    expect(reply.json).toMatchObject({ type: 'EXPORT_JOB_NOT_FOUND' });
  });

  it('answers 400 when the id is not a UUID', async () => {
    const emulator = await start();
    const reply = await call(emulator, 'GET', '/v3/export-jobs/42');
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ type: 'INVALID_UUID' });
  });
});
