import { describe, expect, it } from 'vitest';
import { bodyOf, call, postEvent, start, statusOf } from './harness.js';

const anon = { token: null };

describe('the control surface under /__emulator', () => {
  it('creates a job, without any credential', async () => {
    const emulator = await start();
    const reply = await call(emulator, 'POST', '/__emulator/jobs', {
      ...anon,
      body: { numberOfItems: 2, createdAt: '2026-11-30T10:00:00+01:00', expiresIn: 86_400 },
    });

    expect(reply.status).toBe(201);
    const { data } = bodyOf<{ data: { id: string } }>(reply);
    expect(emulator.getJob(data.id)).toMatchObject({
      numberOfItems: 2,
      createdAt: '2026-11-30T10:00:00+01:00',
    });
    expect((await call(emulator, 'POST', '/__emulator/jobs', anon)).status).toBe(201);
  });

  it('refuses a job with a bad field, naming it', async () => {
    const emulator = await start();
    const reply = await call(emulator, 'POST', '/__emulator/jobs', {
      ...anon,
      body: { createdAt: 'yesterday' },
    });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.json)).toContain('createdAt');
  });

  it('shows one job with its items and accounting data', async () => {
    const emulator = await start();
    const job = emulator.createJob({ numberOfItems: 2 });
    const reply = await call(emulator, 'GET', `/__emulator/jobs/${job.id}`, anon);
    const body = bodyOf<{ items: unknown[]; exportItems: unknown[] }>(reply);
    expect(body.items).toHaveLength(2);
    expect(body.exportItems).toHaveLength(2);
  });

  it('lists requests with a filter, and clears them', async () => {
    const emulator = await start();
    const job = emulator.createJob();
    await postEvent(emulator, 'started', job.id);
    await call(emulator, 'GET', '/v3/export-jobs');

    const reply = await call(emulator, 'GET', '/__emulator/requests?route=jobEvents', anon);
    const { data } = bodyOf<{ data: Array<{ route: string; status: number }> }>(reply);
    expect(data).toEqual([expect.objectContaining({ route: 'jobEvents', status: 200 })]);

    expect((await call(emulator, 'DELETE', '/__emulator/requests', anon)).status).toBe(204);
    expect(emulator.requests()).toEqual([]);
  });

  it('sets, adds, lists and clears faults', async () => {
    const emulator = await start();
    const put = await call(emulator, 'PUT', '/__emulator/faults', {
      ...anon,
      body: [{ kind: 'status', status: 503, route: 'listJobs', times: 1 }],
    });
    expect(put.status).toBe(200);
    await call(emulator, 'POST', '/__emulator/faults', {
      ...anon,
      body: { kind: 'latency', ms: 1 },
    });
    expect(emulator.faults().map((f) => f.kind)).toEqual(['status', 'latency']);
    expect((await call(emulator, 'GET', '/v3/export-jobs')).status).toBe(503);

    expect((await call(emulator, 'DELETE', '/__emulator/faults', anon)).status).toBe(204);
    expect(emulator.faults()).toEqual([]);
  });

  it('refuses a malformed fault with 400 naming the field', async () => {
    const emulator = await start();
    const reply = await call(emulator, 'POST', '/__emulator/faults', {
      ...anon,
      body: { kind: 'latency', millis: 5 },
    });
    expect(reply.status).toBe(400);
    expect(JSON.stringify(reply.json)).toMatch(/ms|millis/);
  });

  it('advances the clock and reads it', async () => {
    const emulator = await start({ now: () => Date.parse('2026-11-30T09:00:00Z') });
    const reply = await call(emulator, 'POST', '/__emulator/clock', {
      ...anon,
      body: { advanceMs: 60_000 },
    });
    expect(reply.json).toEqual({ now: '2026-11-30T09:01:00.000Z' });
    expect((await call(emulator, 'GET', '/__emulator/clock', anon)).json).toEqual({
      now: '2026-11-30T09:01:00.000Z',
    });
  });

  it('shows the whole state, without subscription secrets', async () => {
    const emulator = await start();
    emulator.createJob();
    emulator.subscribe('http://127.0.0.1:9/hook', { secret: 'whsec_c2VjcmV0' });
    const reply = await call(emulator, 'GET', '/__emulator/state', anon);

    expect(reply.json).toMatchObject({ url: emulator.url, jobs: [expect.any(Object)] });
    expect(reply.text).not.toContain('whsec_');
  });

  it('applies a job event as another worker would', async () => {
    const emulator = await start();
    const job = emulator.createJob();
    const body = { event: 'started', jobId: job.id };
    const first = await call(emulator, 'POST', '/__emulator/job-events', { ...anon, body });
    const second = await call(emulator, 'POST', '/__emulator/job-events', { ...anon, body });
    expect([first.status, second.status]).toEqual([200, 409]);
    expect(emulator.requests()).toEqual([]);
  });

  it('adds and revokes tokens', async () => {
    const emulator = await start();
    const body = { token: 'ci-token', label: 'ci' };
    const asCi = { token: 'ci-token' };
    const add = { ...anon, body };
    expect(await statusOf(emulator, 'POST', '/__emulator/tokens', add)).toBe(204);
    expect(await statusOf(emulator, 'GET', '/v3/export-jobs', asCi)).toBe(200);

    const revoke = { ...anon, body: { token: 'ci-token' } };
    expect(await statusOf(emulator, 'POST', '/__emulator/tokens/revoke', revoke)).toBe(204);
    expect(await statusOf(emulator, 'GET', '/v3/export-jobs', asCi)).toBe(401);
  });

  it('subscribes an endpoint and answers its secret', async () => {
    const emulator = await start();
    const reply = await call(emulator, 'POST', '/__emulator/subscriptions', {
      ...anon,
      body: { endpointUrl: 'http://localhost:9/hook' },
    });
    expect(reply.status).toBe(201);
    expect(bodyOf<{ data: { secret: string } }>(reply).data.secret).toMatch(/^whsec_/);
  });

  it('resets everything back to the start', async () => {
    const emulator = await start();
    emulator.createJob();
    await call(emulator, 'GET', '/v3/export-jobs');
    expect((await call(emulator, 'POST', '/__emulator/reset', anon)).status).toBe(204);
    expect(emulator.jobs()).toEqual([]);
    expect(emulator.requests()).toEqual([]);
  });

  it('answers 404 and 405 as JSON on its own unknown routes', async () => {
    const emulator = await start();
    const unknown = await call(emulator, 'GET', '/__emulator/nope', anon);
    const wrong = await call(emulator, 'PUT', '/__emulator/reset', anon);
    expect([unknown.status, wrong.status]).toEqual([404, 405]);
    expect(wrong.json).toMatchObject({ type: 'METHOD_NOT_ALLOWED' });
  });
});
