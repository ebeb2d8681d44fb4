import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import {
  createWebhookHandler,
  type JobCreatedEvent,
  type WebhookHandlerOptions,
  type WebhookRequest,
} from '../../src/triggers/webhook.js';
import {
  COMPANY_ID,
  JOB_ID,
  OTHER_SECRET,
  SECRET,
  VECTOR_NOW_MS,
  WARN,
  captureLogs,
  jobCreatedBody,
  signedHeaders,
  vector,
} from './support.js';

function setup(overrides: Partial<WebhookHandlerOptions> = {}) {
  const events: JobCreatedEvent[] = [];
  const logs = captureLogs();
  const handle = createWebhookHandler({
    secret: SECRET,
    onJobCreated: (event) => {
      events.push(event);
    },
    logger: logs.logger,
    ...overrides,
  });
  return { handle, events, logs };
}

function delivery(body = jobCreatedBody(), options: Parameters<typeof signedHeaders>[1] = {}) {
  return { method: 'POST', headers: signedHeaders(body, options), rawBody: body } as const;
}

describe('createWebhookHandler: verified export-job.created deliveries', () => {
  it('triggers once with the job id for the test vector at its own time', () => {
    const { handle, events } = setup({ secret: vector.secret, now: () => VECTOR_NOW_MS });

    const answer = handle({ method: 'POST', headers: vector.headers, rawBody: vector.rawBody });

    expect(answer).toEqual({ status: 202, body: { received: true, triggered: true } });
    expect(events).toEqual([
      {
        jobId: '0b7e4f8a-5c21-4d3e-8f90-1a2b3c4d5e6f',
        companyId: COMPANY_ID,
        webhookId: vector.headers['webhook-id'],
      },
    ]);
  });

  it('accepts the raw body as a Buffer and header names in any case', () => {
    const { handle, events } = setup();
    const body = jobCreatedBody();
    const headers = Object.fromEntries(
      Object.entries(signedHeaders(body)).map(([name, value]) => [name.toUpperCase(), value]),
    );

    expect(handle({ method: 'post', headers, rawBody: Buffer.from(body) }).status).toBe(202);
    expect(events).toHaveLength(1);
  });

  it.each(['v1.export-job.created', 'export-job.created'])('accepts event type %s', (type) => {
    const { handle, events } = setup();

    expect(handle(delivery(jobCreatedBody({ eventType: type }))).status).toBe(202);
    expect(events[0]?.jobId).toBe(JOB_ID);
  });

  it('accepts a body wrapped as { payload: … }', () => {
    const { handle, events } = setup();

    expect(handle(delivery(jobCreatedBody({ wrap: true }))).status).toBe(202);
    expect(events[0]?.jobId).toBe(JOB_ID);
  });

  it('acknowledges other event types with a 2xx and does not trigger', () => {
    const { handle, events } = setup();
    const body = jobCreatedBody({ eventType: 'v1.expense.created' });

    const answer = handle(delivery(body));

    expect(answer).toEqual({ status: 200, body: { received: true, ignored: true } });
    expect(events).toEqual([]);
  });

  it('acknowledges a redelivery of the same webhook-id without a second trigger', () => {
    const { handle, events } = setup();
    const body = jobCreatedBody();
    const first = delivery(body, { id: 'msg_same' });
    // A retry carries the same id with a fresh timestamp and signature.
    const retry = delivery(body, { id: 'msg_same', atMs: Date.now() + 1_000 });

    expect(handle(first).status).toBe(202);
    expect(handle(retry)).toEqual({ status: 200, body: { received: true, duplicate: true } });
    expect(handle(first).status).toBe(200);
    expect(events).toHaveLength(1);
  });

  it('answers 503 and forgets the id when the orchestrator is not running', () => {
    let running = false;
    const { handle } = setup({ onJobCreated: () => running });
    const request = delivery(jobCreatedBody(), { id: 'msg_while_down' });

    expect(handle(request).status).toBe(503);
    running = true;
    expect(handle(request).status).toBe(202);
  });

  it('answers 500 when onJobCreated throws, so the sender retries', () => {
    const onJobCreated = vi.fn(() => {
      throw new Error('boom');
    });
    const { handle, logs } = setup({ onJobCreated });

    expect(handle(delivery()).status).toBe(500);
    expect(logs.lines().some((line) => line.msg === 'webhook onJobCreated threw')).toBe(true);
  });
});

describe('createWebhookHandler: refused deliveries', () => {
  it.each<[string, (request: ReturnType<typeof delivery>) => WebhookRequest]>([
    ['a forged signature', (r) => withHeader(r, 'webhook-signature', 'v1,Zm9yZ2Vk')],
    ['a missing signature', (r) => withHeader(r, 'webhook-signature', undefined)],
    ['a missing webhook-id', (r) => withHeader(r, 'webhook-id', undefined)],
    ['a missing timestamp', (r) => withHeader(r, 'webhook-timestamp', undefined)],
    ['a body changed after signing', (r) => ({ ...r, rawBody: `${r.rawBody} ` })],
  ])('answers 401 to %s and does not trigger', (_, tamper) => {
    const { handle, events } = setup();

    expect(handle(tamper(delivery())).status).toBe(401);
    expect(events).toEqual([]);
  });

  it('answers 401 to a delivery signed with another secret', () => {
    const { handle, events } = setup();

    expect(handle(delivery(jobCreatedBody(), { secret: OTHER_SECRET })).status).toBe(401);
    expect(events).toEqual([]);
  });

  it('answers 401 to stale and future timestamps', () => {
    const { handle, events } = setup();
    const sixMinutes = 6 * 60_000;

    expect(handle(delivery(jobCreatedBody(), { atMs: Date.now() - sixMinutes })).status).toBe(401);
    expect(handle(delivery(jobCreatedBody(), { atMs: Date.now() + sixMinutes })).status).toBe(401);
    expect(events).toEqual([]);
  });

  it('does not let a forged delivery poison the dedupe cache', () => {
    const { handle, events } = setup();
    const genuine = delivery(jobCreatedBody(), { id: 'msg_target' });
    const forged = withHeader(genuine, 'webhook-signature', 'v1,Zm9yZ2Vk');

    expect(handle(forged).status).toBe(401);
    expect(handle(genuine).status).toBe(202);
    expect(events).toHaveLength(1);
  });

  it('answers 400 to a signed body that is not JSON', () => {
    const { handle, events } = setup();

    const answer = handle(delivery('{"eventType": "v1.export-job.created",'));

    expect(answer).toEqual({ status: 400, body: { error: 'body is not JSON' } });
    expect(events).toEqual([]);
  });

  it.each([
    ['without data.id', { eventType: 'v1.export-job.created', data: { companyId: COMPANY_ID } }],
    ['with an empty data.id', { eventType: 'export-job.created', data: { id: '' } }],
    ['without eventType', { data: { id: JOB_ID } }],
    ['that is a JSON array', [1, 2, 3]],
  ])('answers 400 to a signed body %s', (_, body) => {
    const { handle, events } = setup();

    expect(handle(delivery(JSON.stringify(body))).status).toBe(400);
    expect(events).toEqual([]);
  });

  it('answers 413 to a body over maxBodyBytes, before checking its signature', () => {
    const { handle, events } = setup({ maxBodyBytes: 64 });

    expect(handle(delivery()).status).toBe(413);
    expect(events).toEqual([]);
  });

  it('answers 405 with an Allow header to anything but POST', () => {
    const { handle, events } = setup();

    const answer = handle({ ...delivery(), method: 'GET' });

    expect(answer).toMatchObject({ status: 405, headers: { allow: 'POST' } });
    expect(events).toEqual([]);
  });

  it('logs each refusal once, as a warning with its reason', () => {
    const { handle, logs } = setup();

    handle(withHeader(delivery(), 'webhook-signature', 'v1,Zm9yZ2Vk'));
    handle(delivery('not json'));

    const warnings = logs.lines().filter((line) => line.level === WARN);
    expect(warnings.map((line) => [line.status, line.reason])).toEqual([
      [401, 'no matching signature'],
      [400, 'body is not JSON'],
    ]);
  });

  it('never writes the secret or the body to the log', () => {
    const { handle, logs } = setup();
    const event = JSON.parse(jobCreatedBody()) as { data: Record<string, unknown> };
    event.data['createdBy'] = 'BODY-MARKER';
    const body = JSON.stringify(event);

    handle(withHeader(delivery(body), 'webhook-signature', 'v1,Zm9yZ2Vk'));
    handle(delivery(body, { secret: OTHER_SECRET }));
    handle(delivery(body));
    handle({ ...delivery(body), method: 'PUT' });

    const text = logs.text();
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(SECRET.replace('whsec_', ''));
    expect(text).not.toContain('BODY-MARKER');
  });

  it('answers 500 when the host handed over a parsed body instead of the raw bytes', () => {
    const { handle, events } = setup();
    const parsed = JSON.parse(jobCreatedBody()) as unknown as string;

    expect(handle({ ...delivery(), rawBody: parsed }).status).toBe(500);
    expect(events).toEqual([]);
  });
});

describe('createWebhookHandler: optional Basic or header auth', () => {
  const basic = { basic: { username: 'pleo', password: 'hunter2-long' } };
  const authorization = `Basic ${Buffer.from('pleo:hunter2-long').toString('base64')}`;

  it('accepts a signed delivery with the right Basic credentials', () => {
    const { handle, events } = setup({ auth: basic });

    expect(handle(withHeader(delivery(), 'authorization', authorization)).status).toBe(202);
    expect(events).toHaveLength(1);
  });

  it('answers 401 with a Basic challenge when the credentials are missing or wrong', () => {
    const { handle, events } = setup({ auth: basic });
    const wrong = `Basic ${Buffer.from('pleo:wrong').toString('base64')}`;

    const missing = handle(delivery());
    expect(missing.status).toBe(401);
    expect(missing.headers?.['www-authenticate']).toMatch(/^Basic/);
    expect(handle(withHeader(delivery(), 'authorization', wrong)).status).toBe(401);
    expect(events).toEqual([]);
  });

  it('still requires a valid signature when the credentials are right', () => {
    const { handle } = setup({ auth: basic });
    const unsigned = withHeader(delivery(), 'webhook-signature', 'v1,Zm9yZ2Vk');

    expect(handle(withHeader(unsigned, 'authorization', authorization)).status).toBe(401);
  });

  it('checks a static header by name, whatever its case', () => {
    const auth = { header: { name: 'X-Webhook-Token', value: 'static-token-value' } };
    const { handle, events } = setup({ auth });

    const token = (value: string) => withHeader(delivery(), 'x-webhook-token', value);
    expect(handle(token('static-token-value')).status).toBe(202);
    expect(handle(token('static-token-valuE')).status).toBe(401);
    expect(handle(delivery()).status).toBe(401);
    expect(events).toHaveLength(1);
  });

  it.each([
    [{ basic: { username: '', password: 'x' } }, /auth\.basic\.username/],
    [{ basic: { username: 'u', password: '' } }, /auth\.basic\.password/],
    [{ header: { name: 'bad name', value: 'v' } }, /auth\.header\.name/],
    [{ header: { name: 'x-token', value: '' } }, /auth\.header\.value/],
  ])('refuses bad auth options with a ConfigError naming the field', (auth, name) => {
    expect(() => setup({ auth })).toThrow(ConfigError);
    expect(() => setup({ auth })).toThrow(name);
  });
});

describe('createWebhookHandler: options', () => {
  it('refuses a bad secret at creation, naming the option without echoing it', () => {
    const secret = 'whsec_!!definitely-not-base64!!';

    expect(() => setup({ secret })).toThrow(ConfigError);
    expect(() => setup({ secret })).toThrow(/^secret /);
    expect(() => setup({ secret })).not.toThrow(/definitely/);
  });

  it.each([
    ['toleranceSeconds', { toleranceSeconds: 0 }],
    ['maxBodyBytes', { maxBodyBytes: -1 }],
    ['dedupe.maxEntries', { dedupe: { maxEntries: 0 } }],
    ['dedupe.ttlMs', { dedupe: { ttlMs: Number.NaN } }],
  ])('refuses a bad %s with a ConfigError naming it', (name, options) => {
    expect(() => setup(options)).toThrow(ConfigError);
    expect(() => setup(options)).toThrow(name);
  });
});

function withHeader<T extends { headers: Record<string, string | undefined> }>(
  request: T,
  name: string,
  value: string | undefined,
): T {
  return { ...request, headers: { ...request.headers, [name]: value } };
}
