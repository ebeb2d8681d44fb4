/**
 * The inspector's local relay: an HTTP server for the bridge page and a
 * WebSocket endpoint for it, bound to 127.0.0.1 only. @statelyai/inspect's
 * own `createInspectorServer` listens on every interface without any check,
 * so this one is written for the purpose: a random key in every URL, the
 * Host header checked (against DNS rebinding) and the Origin too (any web
 * page may open a WebSocket to localhost).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { bridgePage } from './bridge-page.js';
import { loadWs, type RelaySocket } from './ws-module.js';

const HOST = '127.0.0.1';
/** Messages replayed to a page that connects late (actor definitions are always kept). */
const RECENT_MESSAGES = 200;

export interface Relay {
  /** The page to open, key included. */
  url: string;
  port: number;
  /** Sends to every connected page; `keep` messages are replayed to later ones. */
  broadcast(message: string, keep: boolean): void;
  close(): Promise<void>;
}

export async function startRelay(options: { port: number; viewerUrl: string }): Promise<Relay> {
  const ws = loadWs();
  const key = randomBytes(18).toString('base64url');
  const sockets = new ws.WebSocketServer({ noServer: true, maxPayload: 4096 });
  const clients = new Set<RelaySocket>();
  const kept: string[] = [];
  const recent: string[] = [];
  const server = createServer();
  let port = options.port;

  const hosts = () => [`${HOST}:${port}`, `localhost:${port}`];
  const allowed = (req: IncomingMessage) => {
    const url = new URL(req.url ?? '/', `http://${HOST}`);
    const origin = req.headers.origin;
    return url.pathname === '/' && url.searchParams.get('key') === key
      && hosts().includes(req.headers.host ?? '')
      && (origin === undefined || hosts().some((host) => origin === `http://${host}`));
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'GET' || !allowed(req)) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found.\n');
      return;
    }
    const socketUrl = `ws://${req.headers.host ?? `${HOST}:${port}`}/?key=${key}`;
    const nonce = randomBytes(12).toString('base64');
    const page = bridgePage({ socketUrl, viewerUrl: options.viewerUrl, nonce });
    res.writeHead(200, page.headers).end(page.html);
  });

  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (!allowed(req)) {
      socket.end('HTTP/1.1 403 Forbidden\r\nconnection: close\r\n\r\n');
      return;
    }
    sockets.handleUpgrade(req, socket, head, (client) => {
      clients.add(client);
      client.on('close', () => clients.delete(client));
      for (const message of [...kept, ...recent]) client.send(message);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, HOST, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://${HOST}:${port}/?key=${key}`,
    port,
    broadcast(message, keep) {
      if (keep) kept.push(message);
      else {
        recent.push(message);
        if (recent.length > RECENT_MESSAGES) recent.shift();
      }
      for (const client of clients) {
        if (client.readyState === ws.WebSocket.OPEN) client.send(message);
      }
    },
    async close() {
      for (const client of clients) client.terminate();
      clients.clear();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
