/**
 * The daemon's small HTTP surface: `POST /trigger` (the ad hoc trigger),
 * `GET /status`, `GET /healthz`, and any extra routes (the webhook).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface ControlServerOptions {
  host: string;
  port: number;
  trigger: () => boolean;
  status: () => unknown;
  healthy: () => boolean;
  /** Extra routes by path, e.g. `/webhooks/pleo`; each handles its own methods. */
  routes?: Record<string, RouteHandler>;
  onError?: (error: unknown) => void;
}

export interface ControlServer {
  url: string;
  close(): Promise<void>;
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const server = createServer((req, res) => {
    Promise.resolve(route(options, req, res)).catch((error: unknown) => {
      options.onError?.(error);
      if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
      else res.destroy();
    });
  });
  await listen(server, options.host, options.port);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    close: () => closeServer(server),
  };
}

function route(options: ControlServerOptions, req: IncomingMessage, res: ServerResponse) {
  const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
  const extra = options.routes?.[pathname];
  if (extra) return extra(req, res);

  switch (pathname) {
    case '/trigger':
      if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
      req.resume();
      return options.trigger()
        ? sendJson(res, 202, { accepted: true })
        : sendJson(res, 503, { accepted: false, reason: 'orchestrator is not running' });
    case '/status':
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      return sendJson(res, 200, options.status());
    case '/healthz': {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      const ok = options.healthy();
      return sendJson(res, ok ? 200 : 503, { ok });
    }
    default:
      req.resume();
      return sendJson(res, 404, { error: `no route ${pathname}` });
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('allow', allow);
  sendJson(res, 405, { error: `method not allowed; use ${allow}` });
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
