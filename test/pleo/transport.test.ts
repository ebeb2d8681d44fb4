/**
 * What a mock cannot show: a body that stalls after the headers, a socket
 * that dies mid-answer, a refused port, and sockets freed after every
 * answer. A real server on 127.0.0.1, port 0.
 */
import { once } from 'node:events';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ConnectionError, ServerError, TimeoutError } from '../../src/errors.js';
import { createPleoClient } from '../../src/pleo/client.js';
import type { PleoClientOptions } from '../../src/pleo/client-options.js';
import { JOB_ID, job, rejectionOf, TOKEN } from './support.js';

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function serve(listener: RequestListener): Promise<{ server: Server; url: string }> {
  const server = createServer(listener);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(async () => {
    server.closeAllConnections();
    server.close();
    await once(server, 'close');
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}` };
}

function clientAt(url: string, options: Partial<PleoClientOptions> = {}) {
  const dispatcher = new Agent({ connections: 1 });
  cleanups.push(() => dispatcher.close());
  return createPleoClient({
    baseUrl: url,
    credentials: { token: TOKEN },
    dispatcher,
    random: () => 0,
    ...options,
    retry: { baseDelayMs: 0, maxDelayMs: 0, ...options.retry },
  });
}

const started = { event: 'started', jobId: JOB_ID } as const;

describe('the transport', () => {
  it('counts the body read against the deadline, not only the headers', async () => {
    const { url } = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"data":');
      // …and nothing more: the headers came in time, the body never ends.
    });
    const client = clientAt(url, { requestTimeoutMs: 100, retry: { maxAttempts: 1 } });

    const error = await rejectionOf(client.getJob(JOB_ID));

    expect(error).toBeInstanceOf(TimeoutError);
    expect(error).toMatchObject({ timeoutMs: 100 });
  });

  it('reports a socket closed mid-answer as maybe delivered and posts once', async () => {
    let requests = 0;
    const { url } = await serve((req, res) => {
      requests += 1;
      res.writeHead(200);
      res.write('Export Job');
      setTimeout(() => req.socket.destroy(), 5);
    });

    const error = await rejectionOf(clientAt(url).sendJobEvent(started));

    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ mayHaveReachedServer: true });
    expect(requests).toBe(1);
  });

  it('reports a refused connection as never sent and retries even a POST', async () => {
    const { server, url } = await serve(() => undefined);
    server.close();
    await once(server, 'close');
    const attempts: number[] = [];
    const client = clientAt(url, {
      retry: { maxAttempts: 3 },
      onRequest: (info) => attempts.push(info.attempt),
    });

    const error = await rejectionOf(client.sendJobEvent(started));

    expect(error).toBeInstanceOf(ConnectionError);
    expect(error).toMatchObject({ mayHaveReachedServer: false, attempt: 3 });
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('frees the socket after every answer, so one connection serves them all', async () => {
    let connections = 0;
    let served = 0;
    const { server, url } = await serve((_req, res) => {
      served += 1;
      if (served <= 5) {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('x'.repeat(256 * 1024));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: job(JOB_ID) }));
    });
    server.on('connection', () => {
      connections += 1;
    });
    const client = clientAt(url, { requestTimeoutMs: 2_000, retry: { maxAttempts: 1 } });

    for (let n = 0; n < 5; n += 1) {
      await expect(client.getJob(JOB_ID)).rejects.toBeInstanceOf(ServerError);
    }
    await expect(client.getJob(JOB_ID)).resolves.toMatchObject({ id: JOB_ID });

    expect(connections).toBe(1);
  });
});
