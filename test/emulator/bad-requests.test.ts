import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { Emulator } from '../../src/emulator/index.js';
import { call, postEvent, start, statusOf } from './harness.js';

const JOB_ID = '0b7e4f8a-5c21-4d3e-8f90-1a2b3c4d5e6f';

async function expectProblem(
  reply: Promise<{ status: number; json: unknown }>,
  status: number,
  type: string,
): Promise<void> {
  const { status: actual, json } = await reply;
  expect(actual).toBe(status);
  expect(json).toMatchObject({ type, message: expect.any(String) });
}

async function withJob(): Promise<[Emulator, string]> {
  const emulator = await start();
  emulator.createJob({ id: JOB_ID, status: 'in_progress' });
  return [emulator, JOB_ID];
}

describe('bad requests', () => {
  it('answers 400 INVALID_JSON to a body that does not parse', async () => {
    const [emulator] = await withJob();
    await expectProblem(
      call(emulator, 'POST', '/v3/export-job-events', {
        rawBody: '{"event": "started",',
        headers: { 'content-type': 'application/json' },
      }),
      400,
      'INVALID_JSON',
    );
  });

  it('answers 400 UNSUPPORTED_CONTENT_TYPE when the body is not declared JSON', async () => {
    const [emulator, jobId] = await withJob();
    await expectProblem(
      call(emulator, 'POST', '/v3/export-job-events', {
        rawBody: JSON.stringify({ event: 'started', jobId }),
        headers: { 'content-type': 'text/plain' },
      }),
      400,
      'UNSUPPORTED_CONTENT_TYPE',
    );
  });

  it('answers 400 MISSING_BODY to an event without a body', async () => {
    const [emulator] = await withJob();
    await expectProblem(call(emulator, 'POST', '/v3/export-job-events'), 400, 'MISSING_BODY');
  });

  it('answers 400 UNKNOWN_EVENT naming the event and the ones it knows', async () => {
    const [emulator, jobId] = await withJob();
    const reply = await postEvent(emulator, 'cancelled', jobId);
    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ type: 'UNKNOWN_EVENT' });
    expect(JSON.stringify(reply.json)).toContain('cancelled');
    expect(JSON.stringify(reply.json)).toContain('started');
  });

  it('answers 400 INVALID_UUID to an event whose jobId is not a UUID', async () => {
    const [emulator] = await withJob();
    await expectProblem(postEvent(emulator, 'started', 'job-1'), 400, 'INVALID_UUID');
  });

  it('answers 400 VALIDATION_ERROR to an unknown failureReasonType', async () => {
    const [emulator, jobId] = await withJob();
    await expectProblem(
      postEvent(emulator, 'failed', jobId, { failureReasonType: 'bad_luck' }),
      400,
      'VALIDATION_ERROR',
    );
  });

  it('answers 400 INVALID_BODY to item updates that are not an array', async () => {
    const [emulator, jobId] = await withJob();
    await expectProblem(
      call(emulator, 'PUT', `/v3/export-jobs/${jobId}/items`, { body: { status: 'failed' } }),
      400,
      'INVALID_BODY',
    );
  });

  it('answers 404 to an unknown path and 405 with Allow to a wrong method', async () => {
    const [emulator, jobId] = await withJob();
    await expectProblem(call(emulator, 'GET', '/v2/export-jobs'), 404, 'NOT_FOUND');
    const reply = await call(emulator, 'PATCH', `/v3/export-jobs/${jobId}/items`);
    expect(reply.status).toBe(405);
    expect(reply.headers['allow']).toBe('GET, PUT');
  });

  it('answers 413 to a body over 1 MiB and keeps serving', async () => {
    const [emulator, jobId] = await withJob();
    const failureReason = 'x'.repeat(1_100_000);
    const huge = JSON.stringify({ event: 'started', jobId, failureReason });
    await expectProblem(
      call(emulator, 'POST', '/v3/export-job-events', {
        rawBody: huge,
        headers: { 'content-type': 'application/json' },
      }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    expect(await statusOf(emulator, 'GET', '/v3/export-jobs')).toBe(200);
  });

  it('answers a request that is not HTTP with a bare 400 and keeps serving', async () => {
    const [emulator] = await withJob();
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(emulator.port, '127.0.0.1', () => {
        socket.write('HELLO THERE\r\n\r\n');
      });
      let text = '';
      socket.on('data', (chunk) => (text += chunk.toString()));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400/);
    expect(await statusOf(emulator, 'GET', '/v3/export-jobs')).toBe(200);
  });
});
