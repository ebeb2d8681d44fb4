import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  AbortedError,
  AuthRejectedError,
  ConnectionError,
  RateLimitedError,
  RequestRejectedError,
  SchemaError,
  ServerError,
  StatusConflictError,
  TimeoutError,
} from '../../src/errors.js';
import {
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
  await mock.agent.close();
});

const jobPath = `/v3/export-jobs/${JOB_ID}`;
const eventsPath = '/v3/export-job-events';
const started = { event: 'started', jobId: JOB_ID } as const;
/** A client that never retries, so each test sees one classified attempt. */
const once = () => clientOn(mock, { retry: { maxAttempts: 1 } });

describe('answers that are not 2xx', () => {
  it.each([400, 409, 422])(
    'a %i whose body type is INVALID_EXPORT_JOB_STATUS_CHANGE is a StatusConflictError',
    async (status) => {
      const body = { type: 'INVALID_EXPORT_JOB_STATUS_CHANGE', message: 'change failed' };
      mock.pool.intercept({ path: eventsPath, method: 'POST' }).reply(status, body);

      const error = await rejectionOf(clientOn(mock).sendJobEvent(started));

      expect(error).toBeInstanceOf(StatusConflictError);
      expect(error).toMatchObject({ code: 'PLEO_STATUS_CONFLICT', status, jobId: JOB_ID });
    },
  );

  it('a 400 with another type is a RequestRejectedError quoting type and message', async () => {
    const body = { type: 'VALIDATION_ERROR', message: 'jobId must be a UUID' };
    mock.pool.intercept({ path: eventsPath, method: 'POST' }).reply(400, body);

    const error = await rejectionOf(clientOn(mock).sendJobEvent(started));

    expect(error).toBeInstanceOf(RequestRejectedError);
    expect((error as Error).message).toContain('VALIDATION_ERROR (jobId must be a UUID)');
  });

  it('cuts a long rejection message short', async () => {
    const body = { type: 'VALIDATION_ERROR', message: 'x'.repeat(5_000) };
    mock.pool.intercept({ path: jobPath }).reply(400, body);

    const error = await rejectionOf(once().getJob(JOB_ID));

    expect((error as Error).message.length).toBeLessThan(400);
  });

  it.each([401, 403])('a %i is an AuthRejectedError carrying the status', async (status) => {
    mock.pool.intercept({ path: jobPath }).reply(status, { type: 'UNAUTHORIZED' });

    const error = await rejectionOf(clientOn(mock).getJob(JOB_ID));

    expect(error).toBeInstanceOf(AuthRejectedError);
    expect(error).toMatchObject({ status, attempt: 1 });
  });

  it('a 429 is a RateLimitedError with Retry-After seconds in ms', async () => {
    const headers = { 'retry-after': '3' };
    mock.pool.intercept({ path: jobPath }).reply(429, '', { headers });

    const error = await rejectionOf(once().getJob(JOB_ID));

    expect(error).toBeInstanceOf(RateLimitedError);
    expect(error).toMatchObject({ retryAfterMs: 3_000 });
  });

  it('a 429 with an HTTP-date Retry-After is measured from now', async () => {
    const at = new Date(Date.now() + 20_000).toUTCString();
    mock.pool.intercept({ path: jobPath }).reply(429, '', { headers: { 'retry-after': at } });

    const error = (await rejectionOf(once().getJob(JOB_ID))) as RateLimitedError;

    // An HTTP date has whole seconds, so up to a second is lost.
    expect(error.retryAfterMs).toBeGreaterThan(18_000);
    expect(error.retryAfterMs).toBeLessThanOrEqual(20_000);
  });

  it('a 429 without Retry-After has no retryAfterMs', async () => {
    mock.pool.intercept({ path: jobPath }).reply(429, '');

    const error = await rejectionOf(once().getJob(JOB_ID));

    expect(error).toBeInstanceOf(RateLimitedError);
    expect((error as RateLimitedError).retryAfterMs).toBeUndefined();
  });

  it.each([500, 502, 503, 504])('a %i is a ServerError', async (status) => {
    mock.pool.intercept({ path: jobPath }).reply(status, '<html>oops</html>');

    const error = await rejectionOf(once().getJob(JOB_ID));

    expect(error).toBeInstanceOf(ServerError);
    expect(error).toMatchObject({ status, method: 'GET', path: jobPath });
  });
});

describe('2xx answers that cannot be read', () => {
  it('a body that is not JSON is a SchemaError with a short excerpt only', async () => {
    const html = `<html><body>${'maintenance '.repeat(200)}</body></html>`;
    mock.pool.intercept({ path: jobPath }).reply(200, html);

    const error = await rejectionOf(clientOn(mock).getJob(JOB_ID));

    expect(error).toBeInstanceOf(SchemaError);
    expect((error as Error).message).toContain('<html><body>maintenance');
    expect((error as Error).message.length).toBeLessThan(250);
  });

  it('a body of the wrong shape is a SchemaError listing issues, not the body', async () => {
    const body = { data: { id: JOB_ID, status: 'pending', note: 'distinctive-body-text' } };
    mock.pool.intercept({ path: jobPath }).reply(200, body);

    const error = (await rejectionOf(clientOn(mock).getJob(JOB_ID))) as SchemaError;

    expect(error).toBeInstanceOf(SchemaError);
    expect(error.issues).toEqual([expect.stringMatching(/^data\.createdAt: /)]);
    expect(error.message).not.toContain('distinctive-body-text');
    expect(error).toMatchObject({ attempt: 1 });
  });
});

describe('network failures', () => {
  it.each(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT'])(
    '%s never reached the server',
    async (code) => {
      mock.pool.intercept({ path: jobPath }).replyWithError(systemError(code));

      const error = await rejectionOf(once().getJob(JOB_ID));

      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ mayHaveReachedServer: false });
    },
  );

  it.each(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE', undefined])(
    '%s may have reached the server',
    async (code) => {
      const failure = code === undefined ? new Error('mystery') : systemError(code);
      mock.pool.intercept({ path: jobPath }).replyWithError(failure);

      const error = await rejectionOf(once().getJob(JOB_ID));

      expect(error).toBeInstanceOf(ConnectionError);
      expect(error).toMatchObject({ mayHaveReachedServer: true });
    },
  );

  it('a reply slower than the deadline is a TimeoutError with timeoutMs', async () => {
    mock.pool.intercept({ path: jobPath }).reply(200, { data: job(JOB_ID) }).delay(500);
    const client = clientOn(mock, { requestTimeoutMs: 30, retry: { maxAttempts: 1 } });

    const error = await rejectionOf(client.getJob(JOB_ID));

    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 30, attempt: 1 });
  });

  it('the caller\'s abort is an AbortedError and is not retried', async () => {
    let requests = 0;
    mock.pool
      .intercept({ path: jobPath })
      .reply(() => {
        requests += 1;
        return { statusCode: 200, data: { data: job(JOB_ID) } };
      })
      .delay(500)
      .persist();
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutting down')), 20);

    const error = await rejectionOf(clientOn(mock).getJob(JOB_ID, { signal: controller.signal }));

    expect(error).toBeInstanceOf(AbortedError);
    expect(requests).toBe(1);
  });

  it('an already aborted signal sends nothing', async () => {
    const signal = AbortSignal.abort();

    await expect(clientOn(mock).getJob(JOB_ID, { signal })).rejects.toBeInstanceOf(AbortedError);
  });
});
