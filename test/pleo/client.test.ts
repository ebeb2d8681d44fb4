import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConfigError,
  ConnectionError,
  RequestRejectedError,
  SchemaError,
} from '../../src/errors.js';
import { createPleoClient } from '../../src/pleo/client.js';
import type { RequestInfo } from '../../src/pleo/http.js';
import {
  API_KEY,
  clientOn,
  headerOf,
  JOB_ID,
  job,
  JSON_HEADERS,
  type Mock,
  mockPleo,
  ORIGIN,
  page,
  rejectionOf,
  startsWith,
  TOKEN,
} from './support.js';

let mock: Mock;

beforeEach(() => {
  mock = mockPleo();
});

afterEach(async () => {
  await mock.agent.close();
});

const jobPath = `/v3/export-jobs/${JOB_ID}`;

describe('authentication', () => {
  it('sends a bearer token when given { token }', async () => {
    let authorization: string | undefined;
    mock.pool.intercept({ path: jobPath }).reply((opts) => {
      authorization = headerOf(opts.headers, 'authorization');
      return { statusCode: 200, data: { data: job(JOB_ID) }, responseOptions: JSON_HEADERS };
    });

    await clientOn(mock).getJob(JOB_ID);

    expect(authorization).toBe(`Bearer ${TOKEN}`);
  });

  it('sends HTTP Basic, key as user name and empty password, for { apiKey }', async () => {
    let authorization: string | undefined;
    mock.pool.intercept({ path: jobPath }).reply((opts) => {
      authorization = headerOf(opts.headers, 'authorization');
      return { statusCode: 200, data: { data: job(JOB_ID) } };
    });

    await clientOn(mock, { credentials: { apiKey: API_KEY } }).getJob(JOB_ID);

    const encoded = authorization?.replace(/^Basic /, '') ?? '';
    expect(authorization).toMatch(/^Basic /);
    expect(Buffer.from(encoded, 'base64').toString()).toBe(`${API_KEY}:`);
  });

  it('calls the credentials provider before every request', async () => {
    const seen: Array<string | undefined> = [];
    mock.pool
      .intercept({ path: jobPath })
      .reply((opts) => {
        seen.push(headerOf(opts.headers, 'authorization'));
        return { statusCode: 200, data: { data: job(JOB_ID) } };
      })
      .times(2);
    let calls = 0;
    const credentials = async () => {
      calls += 1;
      return { token: `token-${calls}` };
    };

    const client = clientOn(mock, { credentials });
    await client.getJob(JOB_ID);
    await client.getJob(JOB_ID);

    expect(seen).toEqual(['Bearer token-1', 'Bearer token-2']);
  });

  it('reports a throwing provider as a failure before anything was sent', async () => {
    const credentials = () => {
      throw new Error('token endpoint down');
    };
    const client = clientOn(mock, { credentials, retry: { maxAttempts: 1 } });

    const error = await rejectionOf(client.getJob(JOB_ID));

    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ mayHaveReachedServer: false, attempt: 1 });
  });

  it('refuses credentials with an empty token', async () => {
    const client = clientOn(mock, { credentials: { token: '  ' } });

    await expect(client.getJob(JOB_ID)).rejects.toBeInstanceOf(ConfigError);
  });
});

describe('options', () => {
  it.each([
    [{ baseUrl: 'ftp://pleo.test' }],
    [{ baseUrl: 'not a url' }],
    [{ baseUrl: 'https://user:pass@pleo.test' }],
    [{ pageSize: 0 }],
    [{ maxPages: 1.5 }],
    [{ requestTimeoutMs: -1 }],
    [{ retry: { maxAttempts: 0 } }],
  ])('rejects %j with a ConfigError', (bad) => {
    const options = { baseUrl: ORIGIN, credentials: { token: TOKEN }, ...bad };
    expect(() => createPleoClient(options)).toThrow(ConfigError);
  });

  it('keeps a path prefix of the base URL', async () => {
    mock.pool.intercept({ path: `/pleo${jobPath}` }).reply(200, { data: job(JOB_ID) });

    const client = clientOn(mock, { baseUrl: `${ORIGIN}/pleo/` });

    await expect(client.getJob(JOB_ID)).resolves.toMatchObject({ id: JOB_ID });
  });
});

describe('single calls', () => {
  it('reads a job from its envelope, keeping unknown fields', async () => {
    const answer = { data: job(JOB_ID, { status: 'archived', region: 'eu' }) };
    mock.pool.intercept({ path: jobPath }).reply(200, answer);

    const found = await clientOn(mock).getJob(JOB_ID);

    expect(found).toMatchObject({ id: JOB_ID, status: 'archived', region: 'eu' });
  });

  it('rejects a missing job with a RequestRejectedError naming the job', async () => {
    mock.pool.intercept({ path: jobPath }).reply(404, { type: 'NOT_FOUND' });

    const error = await rejectionOf(clientOn(mock).getJob(JOB_ID));

    expect(error).toBeInstanceOf(RequestRejectedError);
    expect(error).toMatchObject({ status: 404, jobId: JOB_ID });
  });

  it('posts a job event as JSON and accepts Pleo\'s plain-text answer', async () => {
    let sent: unknown;
    let contentType: string | undefined;
    mock.pool
      .intercept({ path: '/v3/export-job-events', method: 'POST' })
      .reply((opts) => {
        sent = JSON.parse(String(opts.body));
        contentType = headerOf(opts.headers, 'content-type');
        return { statusCode: 200, data: 'Export Job Event created successfully.' };
      });

    await clientOn(mock).sendJobEvent({ event: 'started', jobId: JOB_ID });

    expect(sent).toEqual({ event: 'started', jobId: JOB_ID });
    expect(contentType).toBe('application/json');
  });

  it('creates a subscription, with or without a data envelope', async () => {
    const subscription = {
      id: 'sub_1',
      endpointUrl: 'https://host.example/hook',
      eventTypes: ['v1.export-job.created'],
    };
    const path = '/v1/subscriptions';
    mock.pool.intercept({ path, method: 'POST' }).reply(201, { data: subscription });
    mock.pool.intercept({ path, method: 'POST' }).reply(201, subscription);
    const client = clientOn(mock);
    const input = { endpointUrl: subscription.endpointUrl, eventTypes: subscription.eventTypes };

    await expect(client.createSubscription(input)).resolves.toEqual(subscription);
    await expect(client.createSubscription(input)).resolves.toEqual(subscription);
  });

  it('reads a subscription secret from { data: { secret } } or { secret }', async () => {
    const path = '/v1/subscriptions/sub_1/secret';
    mock.pool.intercept({ path }).reply(200, { data: { secret: 'whsec_one' } });
    mock.pool.intercept({ path }).reply(200, { secret: 'whsec_two' });
    const client = clientOn(mock);

    await expect(client.getSubscriptionSecret('sub_1')).resolves.toBe('whsec_one');
    await expect(client.getSubscriptionSecret('sub_1')).resolves.toBe('whsec_two');
  });

  it('never quotes a subscription secret answer in an error', async () => {
    const path = '/v1/subscriptions/sub_1/secret';
    mock.pool.intercept({ path }).reply(200, 'whsec_plaintext_secret');

    const error = await rejectionOf(clientOn(mock).getSubscriptionSecret('sub_1'));

    expect(error).toBeInstanceOf(SchemaError);
    expect(String(error)).not.toContain('whsec_plaintext_secret');
  });
});

describe('job items', () => {
  const itemsPath = `${jobPath}/items`;
  const entry = (n: number) => `11111111-2222-4333-8444-${String(n).padStart(12, '0')}`;

  it('splits 250 updates into calls of 100, 100 and 50 and merges the answers', async () => {
    const sizes: number[] = [];
    mock.pool
      .intercept({ path: itemsPath, method: 'PUT' })
      .reply((opts) => {
        const body: Array<{ accountingEntryId: string; status: string }> = JSON.parse(
          String(opts.body),
        );
        sizes.push(body.length);
        const first = body[0]?.accountingEntryId ?? 'none';
        return {
          statusCode: 200,
          data: {
            data: body.map((item) => ({ ...item, exportJobId: JOB_ID })),
            errors: [{ accountingEntryId: first, type: 'ACCOUNTING_ENTRY_DOES_NOT_EXIST' }],
          },
        };
      })
      .times(3);
    const updates = Array.from({ length: 250 }, (_, n) => ({
      accountingEntryId: entry(n),
      status: 'successful' as const,
    }));

    const result = await clientOn(mock).updateJobItems(JOB_ID, updates);

    expect(sizes).toEqual([100, 100, 50]);
    expect(result.data).toHaveLength(250);
    expect(result.errors?.map((e) => e.accountingEntryId)).toEqual([
      entry(0),
      entry(100),
      entry(200),
    ]);
  });

  it('sends nothing when there are no updates', async () => {
    const result = await clientOn(mock).updateJobItems(JOB_ID, []);

    expect(result).toEqual({ data: [], errors: [] });
  });

  it('reads every page of a job\'s items', async () => {
    const paths: string[] = [];
    const pages = [
      page([{ accountingEntryId: entry(1), status: 'pending' }], {
        hasNextPage: true,
        endCursor: 'c1',
      }),
      page([{ accountingEntryId: entry(2), status: 'pending' }], { hasNextPage: false }),
    ];
    mock.pool
      .intercept({ path: startsWith(`${itemsPath}?`) })
      .reply((opts) => {
        paths.push(opts.path);
        return { statusCode: 200, data: pages[paths.length - 1] ?? {} };
      })
      .times(2);

    const items = await clientOn(mock, { pageSize: 1 }).listJobItems(JOB_ID);

    expect(items.map((item) => item.accountingEntryId)).toEqual([entry(1), entry(2)]);
    expect(paths).toEqual([`${itemsPath}?limit=1`, `${itemsPath}?limit=1&after=c1`]);
  });

  it('throws rather than drop an unreadable item', async () => {
    const body = page([{ status: 'pending' }], { hasNextPage: false });
    mock.pool.intercept({ path: startsWith(`${itemsPath}?`) }).reply(200, body);

    const error = await rejectionOf(clientOn(mock).listJobItems(JOB_ID));

    expect(error).toBeInstanceOf(SchemaError);
    expect(error).toMatchObject({ jobId: JOB_ID });
    expect((error as SchemaError).issues.join()).toContain('accountingEntryId');
  });

  it('reads the export items of a job by job_id', async () => {
    let path = '';
    const body = page([{ accountingEntryId: entry(3), type: 'card_purchase' }], {
      hasNextPage: false,
    });
    mock.pool.intercept({ path: startsWith('/v3/export-items?') }).reply((opts) => {
      path = opts.path;
      return { statusCode: 200, data: body };
    });

    const items = await clientOn(mock).listExportItems(JOB_ID);

    expect(items).toEqual([{ accountingEntryId: entry(3), type: 'card_purchase' }]);
    expect(path).toBe(`/v3/export-items?job_id=${JOB_ID}&limit=100`);
  });
});

describe('metrics hook', () => {
  it('reports every attempt with method, path, status and attempt number', async () => {
    mock.pool.intercept({ path: jobPath }).reply(503, 'busy');
    mock.pool.intercept({ path: jobPath }).reply(200, { data: job(JOB_ID) });
    const seen: RequestInfo[] = [];

    await clientOn(mock, { onRequest: (info) => seen.push(info) }).getJob(JOB_ID);

    expect(seen).toMatchObject([
      { method: 'GET', path: jobPath, status: 503, attempt: 1, error: 'PLEO_SERVER_ERROR' },
      { method: 'GET', path: jobPath, status: 200, attempt: 2 },
    ]);
    expect(seen[1]?.error).toBeUndefined();
    expect(seen.every((info) => info.durationMs >= 0)).toBe(true);
  });

  it('keeps going when the hook throws', async () => {
    mock.pool.intercept({ path: jobPath }).reply(200, { data: job(JOB_ID) });
    const onRequest = () => {
      throw new Error('metrics backend down');
    };

    await expect(clientOn(mock, { onRequest }).getJob(JOB_ID)).resolves.toBeDefined();
  });
});
