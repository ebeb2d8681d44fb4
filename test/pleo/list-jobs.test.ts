import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CursorStuckError, SchemaError } from '../../src/errors.js';
import {
  clientOn,
  COMPANY_ID,
  job,
  type Mock,
  mockPleo,
  page,
  rejectionOf,
  startsWith,
} from './support.js';

let mock: Mock;

beforeEach(() => {
  mock = mockPleo();
});

afterEach(async () => {
  await mock.agent.close();
});

/** Serves `pages` in order on GET /v3/export-jobs and records each query. */
function servePages(pages: object[]): URLSearchParams[] {
  const queries: URLSearchParams[] = [];
  mock.pool
    .intercept({ path: startsWith('/v3/export-jobs?') })
    .reply((opts) => {
      queries.push(new URL(opts.path, 'https://x.invalid').searchParams);
      const body = pages[queries.length - 1];
      if (body === undefined) return { statusCode: 500, data: 'no such page' };
      return { statusCode: 200, data: body };
    })
    .times(pages.length);
  return queries;
}

describe('listJobs paging', () => {
  it('sends company_id, repeated statuses, limit and ASC createdAt sorting', async () => {
    const queries = servePages([page([], { hasNextPage: false })]);

    await clientOn(mock, { pageSize: 50 }).listJobs({ companyId: COMPANY_ID });

    expect(queries[0]?.toString()).toBe(
      `company_id=${COMPANY_ID}&statuses=pending&statuses=in_progress` +
        '&limit=50&sorting_keys=createdAt&sorting_order=ASC',
    );
  });

  it('follows endCursor on every page until hasNextPage is false', async () => {
    const queries = servePages([
      page([job('a')], { hasNextPage: true, endCursor: 'c1' }),
      page([job('b')], { hasNextPage: true, endCursor: 'c2' }),
      page([job('c')], { hasNextPage: false, endCursor: 'c3' }),
    ]);

    const result = await clientOn(mock).listJobs({ statuses: ['pending'] });

    expect(result.jobs.map((j) => j.id)).toEqual(['a', 'b', 'c']);
    expect(result).toMatchObject({ pages: 3, requests: 3, invalid: [] });
    expect(queries.map((q) => q.get('after'))).toEqual([null, 'c1', 'c2']);
    const statuses = queries.map((q) => q.getAll('statuses'));
    expect(statuses).toEqual([['pending'], ['pending'], ['pending']]);
  });

  it('keeps one copy per id, the one from the later page', async () => {
    servePages([
      page([job('a'), job('b')], { hasNextPage: true, endCursor: 'c1' }),
      page([job('a', { status: 'in_progress' })], { hasNextPage: false }),
    ]);

    const { jobs } = await clientOn(mock).listJobs();

    expect(jobs).toHaveLength(2);
    expect(jobs.find((j) => j.id === 'a')?.status).toBe('in_progress');
  });

  it('neither filters nor reorders what the server sent', async () => {
    servePages([
      page(
        [
          job('late', { createdAt: '2026-11-30T10:00:00Z' }),
          job('done', { status: 'completed' }),
          job('new-status', { status: 'paused_by_pleo' }),
        ],
        { hasNextPage: false },
      ),
    ]);

    const { jobs } = await clientOn(mock).listJobs();

    expect(jobs.map((j) => j.id)).toEqual(['late', 'done', 'new-status']);
  });

  it('skips and reports records that fail the job schema', async () => {
    servePages([
      page([job('good-1'), { status: 'pending', createdAt: '2026-11-30T09:00:00Z' }], {
        hasNextPage: true,
        endCursor: 'c1',
      }),
      page([job('bad-date', { createdAt: 'yesterday' }), 'not a record', job('good-2')], {
        hasNextPage: false,
      }),
    ]);

    const result = await clientOn(mock).listJobs();

    expect(result.jobs.map((j) => j.id)).toEqual(['good-1', 'good-2']);
    expect(result.invalid).toEqual([
      { page: 1, index: 1, status: 'pending', issues: [expect.stringContaining('id')] },
      {
        page: 2,
        index: 0,
        id: 'bad-date',
        status: 'pending',
        issues: [expect.stringContaining('createdAt')],
      },
      { page: 2, index: 1, issues: [expect.any(String)] },
    ]);
  });

  it('counts retried attempts in requests', async () => {
    mock.pool.intercept({ path: startsWith('/v3/export-jobs?') }).reply(502, 'bad gateway');
    servePages([page([job('a')], { hasNextPage: false })]);

    const result = await clientOn(mock).listJobs();

    expect(result).toMatchObject({ pages: 1, requests: 2 });
  });

  it('rejects a page whose envelope has no pagination with a SchemaError', async () => {
    servePages([{ data: [job('a')] }]);

    const error = await rejectionOf(clientOn(mock).listJobs());

    expect(error).toBeInstanceOf(SchemaError);
    expect((error as SchemaError).issues.join()).toContain('pagination');
  });
});

describe('listJobs stops a stuck cursor', () => {
  it('when a page repeats the previous cursor', async () => {
    servePages([
      page([job('a')], { hasNextPage: true, endCursor: 'c1' }),
      page([job('b')], { hasNextPage: true, endCursor: 'c1' }),
    ]);

    const error = await rejectionOf(clientOn(mock).listJobs());

    expect(error).toBeInstanceOf(CursorStuckError);
    expect((error as Error).message).toContain('repeats a cursor');
  });

  it('when a page repeats a cursor from further back', async () => {
    servePages([
      page([job('a')], { hasNextPage: true, endCursor: 'A' }),
      page([job('b')], { hasNextPage: true, endCursor: 'B' }),
      page([job('c')], { hasNextPage: true, endCursor: 'A' }),
    ]);

    await expect(clientOn(mock).listJobs()).rejects.toBeInstanceOf(CursorStuckError);
  });

  it.each([
    ['null', { hasNextPage: true, endCursor: null }],
    ['missing', { hasNextPage: true }],
    ['empty', { hasNextPage: true, endCursor: '' }],
  ])('when hasNextPage is true and endCursor is %s', async (_, pagination) => {
    servePages([page([job('a')], pagination)]);

    const error = await rejectionOf(clientOn(mock).listJobs());

    expect(error).toBeInstanceOf(CursorStuckError);
    expect((error as Error).message).toContain('no endCursor');
  });

  it('after maxPages pages that all announce more', async () => {
    const queries = servePages([
      page([job('a')], { hasNextPage: true, endCursor: 'c1' }),
      page([job('b')], { hasNextPage: true, endCursor: 'c2' }),
    ]);

    const error = await rejectionOf(clientOn(mock, { maxPages: 2 }).listJobs());

    expect(error).toBeInstanceOf(CursorStuckError);
    expect((error as Error).message).toContain('maxPages');
    expect(queries).toHaveLength(2);
  });

  it('but not when the last allowed page is the last page', async () => {
    servePages([
      page([job('a')], { hasNextPage: true, endCursor: 'c1' }),
      page([job('b')], { hasNextPage: false }),
    ]);

    const result = await clientOn(mock, { maxPages: 2 }).listJobs();

    expect(result.pages).toBe(2);
  });
});
