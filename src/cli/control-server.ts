/**
 * The daemon's small HTTP surface: `POST /trigger` (the ad hoc trigger),
 * `POST /adopt`, `GET /status`, `GET /healthz`, and any extra routes (the
 * webhook).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import { UsageError } from './flags.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface ControlServerOptions {
  host: string;
  port: number;
  trigger: () => boolean;
  status: () => unknown;
  healthy: () => boolean;
  /**
   * Takes over a job whose claim outcome is unknown (`POST /adopt {jobId}`);
   * false when the orchestrator cannot take it now. No route without it.
   */
  adopt?: (jobId: string) => boolean;
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
    case '/adopt':
      if (!options.adopt) break;
      if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
      return adoptRoute(options.adopt, req, res);
    case '/status':
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      return sendJson(res, 200, options.status());
    case '/healthz': {
      if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
      const ok = options.healthy();
      return sendJson(res, ok ? 200 : 503, { ok });
    }
  }
  req.resume();
  return sendJson(res, 404, { error: `no route ${pathname}` });
}

/** Pleo's job ids are UUIDs; anything else could never be read back, only held. */
const AdoptBodySchema = z.strictObject({ jobId: z.guid() });
const MAX_ADOPT_BODY_BYTES = 4_096;

async function adoptRoute(
  adopt: (jobId: string) => boolean,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const text = await readSmallBody(req, MAX_ADOPT_BODY_BYTES);
  if (text === undefined) return sendJson(res, 413, { error: 'body too large' });
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  const body = AdoptBodySchema.safeParse(json);
  if (!body.success) {
    return sendJson(res, 400, { error: 'the body must be JSON {"jobId": "<job id>"}' });
  }
  const { jobId } = body.data;
  if (adopt(jobId)) return sendJson(res, 202, { accepted: true, jobId });
  return sendJson(res, 409, {
    accepted: false,
    jobId,
    reason: 'the orchestrator is busy or holds a job; try again once /status shows it idle',
  });
}

/** The body as text, or `undefined` once it grows past `limit` bytes. */
function readSmallBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => {
      resolve(size <= limit ? Buffer.concat(chunks).toString('utf8') : undefined);
    });
    req.on('error', reject);
  });
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
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE' || error.code === 'EACCES') {
        const why = error.code === 'EADDRINUSE' ? 'is in use' : 'is not allowed';
        reject(new UsageError(`--port: ${host}:${port} ${why}; choose another (--port 0: any).`));
      } else {
        reject(error);
      }
    });
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
