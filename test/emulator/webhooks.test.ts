import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { WebhookEventSchema } from '../../src/pleo/schemas.js';
import { bodyOf, call, start } from './harness.js';
import { startReceiver } from './receiver.js';

const FAST_RETRY = { backoffMs: 5, maxBackoffMs: 20, timeoutMs: 1_000 };
const SECRET = 'whsec_mtvW2HsamGPHiS12IFg2wt2zuEuw4dqe';

describe('webhook subscriptions over HTTP', () => {
  it('creates a subscription, serves its secret, and signs deliveries with it', async () => {
    const emulator = await start();
    const receiver = await startReceiver();
    const created = await call(emulator, 'POST', '/v1/subscriptions', {
      body: { endpointUrl: receiver.url, eventTypes: ['v1.export-job.created'] },
    });
    expect(created.status).toBe(201);
    const { id } = bodyOf<{ data: { id: string } }>(created).data;
    const secretReply = await call(emulator, 'GET', `/v1/subscriptions/${id}/secret`);
    const { secret } = bodyOf<{ data: { secret: string } }>(secretReply).data;
    expect(secret).toMatch(/^whsec_/);

    const job = emulator.createJob();
    await emulator.settled();

    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received;
    const verified = new Webhook(secret).verify(delivery!.body, delivery!.headers);
    const event = WebhookEventSchema.parse(verified);
    expect(event).toMatchObject({
      eventType: 'v1.export-job.created',
      data: {
        id: job.id,
        companyId: job.companyId,
        status: 'pending',
        createdAt: job.createdAt,
      },
    });
    expect(delivery!.headers['webhook-id']).toMatch(/^msg_/);
  });

  it('stops delivering once the subscription is deleted', async () => {
    const emulator = await start();
    const receiver = await startReceiver();
    const created = await call(emulator, 'POST', '/v1/subscriptions', {
      body: { endpointUrl: receiver.url, eventTypes: ['v1.export-job.created'] },
    });
    const { id } = bodyOf<{ data: { id: string } }>(created).data;

    expect((await call(emulator, 'DELETE', `/v1/subscriptions/${id}`)).status).toBe(204);
    emulator.createJob();
    await emulator.settled();
    expect(receiver.received).toHaveLength(0);
    expect((await call(emulator, 'GET', `/v1/subscriptions/${id}/secret`)).status).toBe(404);
  });

  it('lists subscriptions without their secrets', async () => {
    const emulator = await start();
    emulator.subscribe('http://127.0.0.1:9/hook', { secret: SECRET });
    const reply = await call(emulator, 'GET', '/v1/subscriptions');

    expect(reply.status).toBe(200);
    expect(bodyOf<{ data: unknown[] }>(reply).data).toEqual([
      expect.objectContaining({ endpointUrl: 'http://127.0.0.1:9/hook' }),
    ]);
    expect(reply.text).not.toContain('whsec_');
  });

  it('refuses an endpoint that is not on a loopback host', async () => {
    const emulator = await start();
    const reply = await call(emulator, 'POST', '/v1/subscriptions', {
      body: { endpointUrl: 'https://example.com/hook', eventTypes: ['v1.export-job.created'] },
    });
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ type: 'INVALID_ENDPOINT_URL' });
    expect(() => emulator.subscribe('http://10.0.0.1/hook')).toThrow(TypeError);
  });

  it('delivers to a company-bound subscriber only the jobs of its companies', async () => {
    const acme = '11111111-1111-4111-8111-111111111111';
    const emulator = await start({ tokens: [{ token: 'acme-only', companyIds: [acme] }] });
    const receiver = await startReceiver();
    await call(emulator, 'POST', '/v1/subscriptions', {
      token: 'acme-only',
      body: { endpointUrl: receiver.url, eventTypes: ['v1.export-job.created'] },
    });

    const acmeJob = emulator.createJob({ companyId: acme });
    emulator.createJob({ companyId: '22222222-2222-4222-8222-222222222222' });
    await emulator.settled();
    expect(receiver.received.map((r) => JSON.parse(r.body).data.id)).toEqual([acmeJob.id]);
  });
});

describe('webhook delivery', () => {
  it('signs with the secret given to subscribe()', async () => {
    const emulator = await start();
    const receiver = await startReceiver();
    const subscription = emulator.subscribe(receiver.url, { secret: SECRET });
    expect(subscription.secret).toBe(SECRET);

    emulator.createJob();
    await emulator.settled();
    const [delivery] = receiver.received;
    expect(() => new Webhook(SECRET).verify(delivery!.body, delivery!.headers)).not.toThrow();
    expect(() => new Webhook(`whsec_${Buffer.from('x').toString('base64')}`)
      .verify(delivery!.body, delivery!.headers)).toThrow();
  });

  it('refuses a secret that is not whsec_ and base64, before any delivery', async () => {
    const emulator = await start();
    const badSecret = { secret: 'whsec_!!' };
    const subscribe = () => emulator.subscribe('http://127.0.0.1:9/hook', badSecret);
    expect(subscribe).toThrow(TypeError);
    expect(emulator.subscriptions()).toEqual([]);
  });

  it('wraps the event as {payload} when told to', async () => {
    const emulator = await start({ webhooks: { wrapPayload: true } });
    const receiver = await startReceiver();
    emulator.subscribe(receiver.url);
    const job = emulator.createJob();
    await emulator.settled();

    const body = JSON.parse(receiver.received[0]!.body);
    expect(body.payload).toMatchObject({
      eventType: 'v1.export-job.created',
      data: { id: job.id },
    });
  });

  it('retries a delivery the receiver refused until it succeeds', async () => {
    const emulator = await start({ webhooks: FAST_RETRY });
    const receiver = await startReceiver([500, 503]);
    emulator.subscribe(receiver.url);
    emulator.createJob();
    await emulator.settled();

    const [delivery] = emulator.deliveries();
    expect(delivery?.state).toBe('delivered');
    expect(delivery?.attempts.map((a) => a.status)).toEqual([500, 503, 204]);
    const ids = new Set(receiver.received.map((r) => r.headers['webhook-id']));
    expect(ids.size).toBe(1);
  });

  it('gives up after maxAttempts when the receiver is unreachable', async () => {
    const closed = await start();
    // The port of a closed emulator: nothing listens there any more.
    const unreachable = `http://127.0.0.1:${closed.port}/hooks`;
    await closed.close();

    const emulator = await start({ webhooks: { ...FAST_RETRY, maxAttempts: 3 } });
    emulator.subscribe(unreachable);
    emulator.createJob();
    await emulator.settled();

    const [delivery] = emulator.deliveries();
    expect(delivery?.state).toBe('failed');
    expect(delivery?.attempts).toHaveLength(3);
    expect(delivery?.attempts.every((a) => a.error !== undefined)).toBe(true);
  });

  it('sends a duplicate with the same webhook-id when duplicateProbability is 1', async () => {
    const emulator = await start({ webhooks: { duplicateProbability: 1 } });
    const receiver = await startReceiver();
    emulator.subscribe(receiver.url);
    emulator.createJob();
    await emulator.settled();

    expect(receiver.received).toHaveLength(2);
    expect(receiver.received[0]!.headers['webhook-id']).toBe(
      receiver.received[1]!.headers['webhook-id'],
    );
    expect(emulator.deliveries().map((d) => d.duplicate)).toEqual([false, true]);
  });

  it('loses every delivery when dropProbability is 1', async () => {
    const emulator = await start({ webhooks: { dropProbability: 1 } });
    const receiver = await startReceiver();
    emulator.subscribe(receiver.url);
    emulator.createJob();
    await emulator.settled();

    expect(receiver.received).toHaveLength(0);
    expect(emulator.deliveries().map((d) => d.state)).toEqual(['dropped']);
  });

  it('delivers a batch out of creation order with a reorder window', async () => {
    const emulator = await start({ webhooks: { reorderWindowMs: 20 }, seed: 3 });
    const receiver = await startReceiver();
    emulator.subscribe(receiver.url);
    const created = [emulator.createJob(), emulator.createJob(), emulator.createJob()];
    await emulator.settled();

    const order = receiver.received.map((r) => JSON.parse(r.body).data.id);
    expect([...order].sort()).toEqual(created.map((j) => j.id).sort());
    expect(order).not.toEqual(created.map((j) => j.id));
  });

  it('waits delayMs before the first attempt', async () => {
    const emulator = await start({ webhooks: { delayMs: 80 } });
    const receiver = await startReceiver();
    emulator.subscribe(receiver.url);
    const started = Date.now();
    emulator.createJob();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(receiver.received).toHaveLength(0);

    await emulator.settled();
    expect(receiver.received).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
  });
});
