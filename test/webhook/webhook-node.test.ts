import { request as httpRequest } from 'node:http';
import { Readable } from 'node:stream';
import { request } from 'undici';
import { describe, expect, it } from 'vitest';
import { createNodeWebhookHandler } from '../../src/triggers/webhook-node.js';
import type { WebhookHandlerOptions } from '../../src/triggers/webhook.js';
import { SECRET, captureLogs, jobCreatedBody, serve, signedHeaders } from './support.js';

const LIMIT = 4 * 1024;

async function setup(overrides: Partial<WebhookHandlerOptions> = {}) {
  let triggers = 0;
  let bytesRead = 0;
  const logs = captureLogs();
  const webhook = createNodeWebhookHandler({
    secret: SECRET,
    onJobCreated: () => {
      triggers += 1;
    },
    maxBodyBytes: LIMIT,
    logger: logs.logger,
    ...overrides,
  });
  const url = await serve((req, res) => {
    res.on('finish', () => {
      bytesRead = Math.max(bytesRead, req.socket.bytesRead);
    });
    webhook(req, res);
  });
  return { url, logs, triggers: () => triggers, bytesRead: () => bytesRead };
}

/** Writes a chunked body until the server answers; resolves with the answer. */
function postStreaming(url: string, chunk: Buffer, maxChunks: number) {
  return new Promise<{ status: number; body: string; chunksSent: number }>((resolve, reject) => {
    let sent = 0;
    let answered = false;
    const req = httpRequest(url, { method: 'POST', headers: signedHeaders('ignored') }, (res) => {
      answered = true;
      let body = '';
      res.on('data', (part: Buffer) => (body += part.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, chunksSent: sent }));
    });
    // Once the server has answered and closed, writing on fails: expected.
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && sent < maxChunks) {
        sent += 1;
        if (!req.write(chunk)) return void req.once('drain', pump);
      }
      if (!answered) req.end();
    };
    pump();
  });
}

describe('createNodeWebhookHandler over a real socket', () => {
  it('answers 202 and triggers for a signed delivery', async () => {
    const { url, triggers } = await setup();
    const body = jobCreatedBody();

    const answer = await request(url, { method: 'POST', headers: signedHeaders(body), body });

    expect(answer.statusCode).toBe(202);
    expect(await answer.body.json()).toEqual({ received: true, triggered: true });
    expect(triggers()).toBe(1);
  });

  it('verifies the bytes as sent: odd spacing and non-ASCII text survive', async () => {
    const { url, triggers } = await setup();
    const body = `{ "eventType" : "v1.export-job.created",\n  "data": {"id": "jøb-1",`
      + ` "note": "Blåbærsyltetøy €"} }`;

    const answer = await request(url, { method: 'POST', headers: signedHeaders(body), body });

    expect(answer.statusCode).toBe(202);
    expect(triggers()).toBe(1);
  });

  it('answers 413 at once to a declared Content-Length over the limit, unread', async () => {
    const { url, triggers, bytesRead } = await setup();
    const body = Buffer.alloc(2 * 1024 * 1024, 0x20);

    const answer = await request(url, { method: 'POST', headers: signedHeaders('x'), body });

    expect(answer.statusCode).toBe(413);
    expect(await answer.body.json()).toEqual({ error: 'body too large' });
    expect(triggers()).toBe(0);
    expect(bytesRead()).toBeLessThan(body.length / 2);
  });

  it('answers 413 to a chunked body as soon as it grows past the limit', async () => {
    const { url, triggers, bytesRead, logs } = await setup();
    const chunk = Buffer.alloc(1024, 0x20);

    const answer = await postStreaming(url, chunk, 8 * 1024);

    expect(answer.status).toBe(413);
    expect(triggers()).toBe(0);
    // 8 MiB were on offer; the server stopped long before.
    expect(bytesRead()).toBeLessThan(1024 * 1024);
    const refusals = logs.lines().filter((line) => line.reason === 'body too large');
    expect(refusals).toHaveLength(1);
  });

  it('answers 413 to a streamed undici body past the limit', async () => {
    const { url, triggers } = await setup();
    const chunks = function* () {
      for (let i = 0; i < 1024; i++) yield Buffer.alloc(1024, 0x20);
    };

    const answer = await request(url, {
      method: 'POST',
      headers: signedHeaders('x'),
      body: Readable.from(chunks()),
    });

    expect(answer.statusCode).toBe(413);
    await answer.body.dump();
    expect(triggers()).toBe(0);
  });

  it('accepts a body of exactly the limit', async () => {
    const { url, triggers } = await setup();
    const base = jobCreatedBody();
    const body = `${base}${' '.repeat(LIMIT - Buffer.byteLength(base))}`;

    const answer = await request(url, { method: 'POST', headers: signedHeaders(body), body });

    expect(answer.statusCode).toBe(202);
    expect(triggers()).toBe(1);
  });

  it('answers 405 with Allow: POST to a GET', async () => {
    const { url, triggers } = await setup();

    const answer = await request(url, { method: 'GET' });

    expect(answer.statusCode).toBe(405);
    expect(answer.headers['allow']).toBe('POST');
    await answer.body.dump();
    expect(triggers()).toBe(0);
  });

  it('answers 401 to an unsigned delivery and keeps serving the next one', async () => {
    const { url, triggers } = await setup();
    const body = jobCreatedBody();

    const unsigned = await request(url, { method: 'POST', body });
    const signed = await request(url, { method: 'POST', headers: signedHeaders(body), body });

    expect(unsigned.statusCode).toBe(401);
    expect(signed.statusCode).toBe(202);
    await Promise.all([unsigned.body.dump(), signed.body.dump()]);
    expect(triggers()).toBe(1);
  });

  it('does not trigger when the sender hangs up halfway through the body', async () => {
    const { url, triggers } = await setup();
    const body = jobCreatedBody();
    const headers = { ...signedHeaders(body), 'content-length': String(body.length) };

    await new Promise<void>((resolve) => {
      const req = httpRequest(url, { method: 'POST', headers });
      req.on('error', () => resolve());
      req.write(body.slice(0, 10), () => setTimeout(() => req.destroy(), 20));
    });
    const after = await request(url, { method: 'POST', headers: signedHeaders(body), body });

    expect(after.statusCode).toBe(202);
    await after.body.dump();
    expect(triggers()).toBe(1);
  });
});
