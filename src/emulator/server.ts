/**
 * The node:http server: listening, tracking every socket so `close()` can cut
 * hung connections at once, and keeping one bad request from taking the
 * server down.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { toError } from '../errors.js';
import { writeResponse } from './http-io.js';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export interface RunningServer {
  /** `http://host:port`, without a trailing slash. */
  url: string;
  port: number;
  /** Stops listening and destroys every open socket, hung ones included. */
  close(): Promise<void>;
}

export async function listen(
  host: string,
  port: number,
  handle: RequestHandler,
  logger: Logger,
): Promise<RunningServer> {
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const context = { err: toError(error), method: req.method, url: req.url };
      logger.error(context, 'request failed');
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const body = { type: 'INTERNAL_SERVER_ERROR', message: 'The emulator failed.' };
      writeResponse(res, { status: 500, body });
    });
  });

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Requests node:http cannot even parse get a bare 400 rather than a crash.
  server.on('clientError', (error, socket) => {
    logger.debug({ err: error }, 'unparsable request');
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });

  const address = server.address();
  if (address === null || typeof address === 'string') {
    throw new Error('The emulator server has no TCP address after listening.');
  }
  const printable = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${printable}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
        server.closeAllConnections();
      }),
  };
}
