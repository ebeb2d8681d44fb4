import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  AbortedError,
  ConnectionError,
  RateLimitedError,
  SchemaError,
  ServerError,
  StatusConflictError,
  TimeoutError,
} from '../../src/errors.js';
import {
  captureLogs,
  clientOn,
  JOB_ID,
  job,
  type Mock,
  mockPleo,
  rejectionOf,
  systemError,
} from './support.js';

let mock: Mock;

beforeEach(() => {
  mock = mockPleo();
});

afterEach(async () => {
  vi.useRealTimers();
  await mock.agent.close();
});

const jobPath = `/v3/export-jobs/${JOB_ID}`;
const eventsPath = '/v3/export-job-events';
const started = { event: 'started', jobId: JOB_ID } as const;
const found = { data: job(JOB_ID) };

/** Counts the requests that reach `path`; every one is answered by `reply`. */
function countRequests(
  path: string,
  method: string,
  reply: (n: number) => { statusCode: number; data?: object | string },
): { readonly count: number } {
  const counter = { count: 0 };
  mock.pool
    .intercept({ path, method })
    .reply(() => {
      counter.count += 1;
      return { data: '', ...reply(counter.count) };
    })
    .persist();
  return counter;
}

describe('idempotent calls', () => {
  it('retry a 5xx and return the answer that finally succeeds', async () => {
    const requests = countRequests(jobPath, 'GET', (n) =>
      n < 3 ? { statusCode: 503 } : { statusCode: 200, data: found },
    );
    const { logger, lines } = captureLogs();

    const client = clientOn(mock, { logger });
    await expect(client.getJob(JOB_ID)).resolves.toMatchObject({ id: JOB_ID });

    expect(requests.count).toBe(3);
    const warnings = lines.map((line) => JSON.parse(line)).filter((entry) => entry.level === 40);
    expect(warnings.map((entry) => entry.msg)).toEqual([
      'retrying Pleo request after attempt 1 of 4',
      'retrying Pleo request after attempt 2 of 4',
    ]);
  });

  it('give up after maxAttempts with the last error carrying its attempt', async () => {
    const requests = countRequests(jobPath, 'GET', () => ({ statusCode: 500 }));

    const error = await rejectionOf(clientOn(mock).getJob(JOB_ID));

    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ attempt: 4, status: 500 });
    expect(requests.count).toBe(4);
  });

  it('retry a timed-out attempt', async () => {
    mock.pool.intercept({ path: jobPath }).reply(200, found).delay(300);
    mock.pool.intercept({ path: jobPath }).reply(200, found);

    const client = clientOn(mock, { requestTimeoutMs: 30 });

    await expect(client.getJob(JOB_ID)).resolves.toMatchObject({ id: JOB_ID });
  });

  it('retry a 408 by its status although it is a 4xx', async () => {
    const requests = countRequests(jobPath, 'GET', (n) =>
      n === 1 ? { statusCode: 408 } : { statusCode: 200, data: found },
    );

    await clientOn(mock).getJob(JOB_ID);

    expect(requests.count).toBe(2);
  });

  it('retry an item update that met a 502', async () => {
    const path = `${jobPath}/items`;
    const requests = countRequests(path, 'PUT', (n) =>
      n === 1 ? { statusCode: 502 } : { statusCode: 200, data: { data: [] } },
    );

    await clientOn(mock).updateJobItems(JOB_ID, [
      { accountingEntryId: '11111111-2222-4333-8444-555555555555', status: 'successful' },
    ]);

    expect(requests.count).toBe(2);
  });

  it.each([
    ['401', { statusCode: 401 }],
    ['400', { statusCode: 400, data: { type: 'BAD' } }],
    ['malformed 200', { statusCode: 200, data: { data: {} } }],
  ])('do not retry a %s', async (_, answer) => {
    const requests = countRequests(jobPath, 'GET', () => answer);

    await expect(clientOn(mock).getJob(JOB_ID)).rejects.toThrow();

    expect(requests.count).toBe(1);
  });

  it('stop waiting for a retry when the signal aborts', async () => {
    countRequests(jobPath, 'GET', () => ({ statusCode: 503 }));
    const controller = new AbortController();
    const retry = { baseDelayMs: 60_000, maxDelayMs: 60_000 };
    const client = clientOn(mock, { random: () => 0.999, retry });
    setTimeout(() => controller.abort(), 20);

    const startedAt = Date.now();
    const error = await rejectionOf(client.getJob(JOB_ID, { signal: controller.signal }));

    expect(error).toBeInstanceOf(AbortedError);
    expect(error).toMatchObject({ attempt: 1, path: jobPath });
    expect(Date.now() - startedAt).toBeLessThan(5_000);
  });
});

describe('Retry-After', () => {
  it('is waited for at least as long as asked', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    mock.pool.intercept({ path: jobPath }).reply(429, '', { headers: { 'retry-after': '2' } });
    const requests = countRequests(jobPath, 'GET', () => ({ statusCode: 200, data: found }));

    const result = clientOn(mock).getJob(JOB_ID);
    await vi.advanceTimersByTimeAsync(1_999);
    const before = requests.count;
    await vi.advanceTimersByTimeAsync(1);

    await expect(result).resolves.toMatchObject({ id: JOB_ID });
    expect(before).toBe(0);
    expect(requests.count).toBe(1);
  });

  it('above maxRetryAfterMs is not waited for: the RateLimitedError is thrown', async () => {
    const headers = { 'retry-after': '3600' };
    mock.pool.intercept({ path: jobPath }).reply(429, '', { headers });

    const client = clientOn(mock, { retry: { maxRetryAfterMs: 60_000 } });
    const error = await rejectionOf(client.getJob(JOB_ID));

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 3_600_000, attempt: 1 });
  });
});

describe('POSTs', () => {
  it.each([500, 503])('are not retried after a %i', async (status) => {
    const requests = countRequests(eventsPath, 'POST', () => ({ statusCode: status }));

    const error = await rejectionOf(clientOn(mock).sendJobEvent(started));

    expect(error).toBeInstanceOf(ServerError);
    expect(requests.count).toBe(1);
  });

  it('are not retried after a timeout', async () => {
    mock.pool.intercept({ path: eventsPath, method: 'POST' }).reply(200, '').delay(300);
    const later = countRequests(eventsPath, 'POST', () => ({ statusCode: 200 }));
    const client = clientOn(mock, { requestTimeoutMs: 30 });

    const error = await rejectionOf(client.sendJobEvent(started));

    expect(error).toBeInstanceOf(TimeoutError);
    expect(later.count).toBe(0);
  });

  it('are not retried after a connection reset', async () => {
    const reset = systemError('ECONNRESET');
    mock.pool.intercept({ path: eventsPath, method: 'POST' }).replyWithError(reset);
    const later = countRequests(eventsPath, 'POST', () => ({ statusCode: 200 }));

    const error = await rejectionOf(clientOn(mock).sendJobEvent(started));

    expect(error).toMatchObject({ code: 'PLEO_CONNECTION', mayHaveReachedServer: true });
    expect(later.count).toBe(0);
  });

  it('are retried when the connection was refused, since nothing was sent', async () => {
    const refused = systemError('ECONNREFUSED');
    mock.pool.intercept({ path: eventsPath, method: 'POST' }).replyWithError(refused);
    const later = countRequests(eventsPath, 'POST', () => ({ statusCode: 200 }));

    await clientOn(mock).sendJobEvent(started);

    expect(later.count).toBe(1);
  });

  it('are retried on refusal no more than maxAttempts in all', async () => {
    const refused = systemError('ECONNREFUSED');
    mock.pool.intercept({ path: eventsPath, method: 'POST' }).replyWithError(refused).times(2);

    const client = clientOn(mock, { retry: { maxAttempts: 2 } });
    const error = await rejectionOf(client.sendJobEvent(started));

    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ attempt: 2 });
  });

  it('meet a conflict once, without a second try', async () => {
    const body = { type: 'INVALID_EXPORT_JOB_STATUS_CHANGE' };
    const requests = countRequests(eventsPath, 'POST', () => ({ statusCode: 409, data: body }));

    const claim = clientOn(mock).sendJobEvent(started);
    await expect(claim).rejects.toBeInstanceOf(StatusConflictError);

    expect(requests.count).toBe(1);
  });

  it('whose 2xx answer is unreadable are not retried', async () => {
    const path = '/v1/subscriptions';
    const requests = countRequests(path, 'POST', () => ({ statusCode: 201, data: 'created' }));
    const input = { endpointUrl: 'https://host.example/hook', eventTypes: ['x'] };

    await expect(clientOn(mock).createSubscription(input)).rejects.toBeInstanceOf(SchemaError);

    expect(requests.count).toBe(1);
  });
});
