/**
 * The credentials must never reach a log line, an error message or an
 * error's properties, whatever fails. Each scenario below fails a request
 * a different way; everything the client produced is then searched.
 */
import { inspect } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PleoCredentials } from '../../src/pleo/credentials.js';
import {
  API_KEY,
  captureLogs,
  clientOn,
  JOB_ID,
  type Mock,
  mockPleo,
  rejectionOf,
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
const basic = Buffer.from(`${API_KEY}:`).toString('base64');

/** Each arranges one failure; `echo` is text a careless server sends back. */
const onJob = () => mock.pool.intercept({ path: jobPath });
const scenarios: Array<[string, (echo: string) => void]> = [
  ['a 401', () => onJob().reply(401, '').persist()],
  ['a 500 retried to exhaustion', () => onJob().reply(500, '').persist()],
  ['a timeout, retried', () => onJob().reply(200, '{}').delay(200).persist()],
  [
    'a 400 that quotes the credentials',
    (echo) => onJob().reply(400, { type: 'BAD_HEADER', message: echo }),
  ],
  ['a 2xx that is not JSON and quotes them', (echo) => onJob().reply(200, echo)],
  [
    // undici's mock quotes every request header when none matches.
    'an undici error that quotes the request headers',
    () => {
      const headers = { authorization: 'nobody' };
      mock.pool.intercept({ path: jobPath, headers }).reply(200, '');
    },
  ],
];

const credentialForms: Array<[string, PleoCredentials, string[]]> = [
  ['a token', { token: TOKEN }, [TOKEN]],
  ['an API key', { apiKey: API_KEY }, [API_KEY, basic]],
];

describe.each(credentialForms)('with %s', (_, credentials, secrets) => {
  it.each(scenarios)('%s leaks no secret into errors or logs', async (_name, arrange) => {
    arrange(`your header was Authorization: Bearer ${TOKEN} / Basic ${basic} (${API_KEY})`);
    const { logger, lines } = captureLogs();
    const client = clientOn(mock, { credentials, logger, requestTimeoutMs: 50 });

    const error = await rejectionOf(client.getJob(JOB_ID));

    const dumped = [inspect(error, { depth: 10 }), JSON.stringify(error)];
    const everything = [...dumped, ...lines].join('\n');
    expect(lines.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});

it('redacts the secret in a foreign error it keeps as cause', async () => {
  mock.pool.intercept({ path: jobPath, headers: { authorization: 'nobody' } }).reply(200, '');
  const client = clientOn(mock, { retry: { maxAttempts: 1 } });

  const error = await rejectionOf(client.getJob(JOB_ID));

  const cause = (error as Error).cause as Error & { code?: string };
  expect(cause.code).toBe('UND_MOCK_ERR_MOCK_NOT_MATCHED');
  expect(cause.message).toContain('[redacted]');
  expect(cause.message).not.toContain(TOKEN);
});
