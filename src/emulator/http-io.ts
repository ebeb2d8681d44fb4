/**
 * Reading requests and writing answers with node:http, kept apart from the
 * routes so they deal in parsed values only.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiProblem, badRequest } from './problem.js';

/** What a route handler answers; the server serialises it. */
export interface ApiResponse {
  status: number;
  /** A JSON value to serialise. */
  body?: unknown;
  /** A plain-text body instead of JSON. */
  text?: string;
  headers?: Record<string, string>;
}

/** Requests bigger than this are refused; no Pleo call needs more. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The raw body as text; `undefined` when the request had none. */
export async function readBody(req: IncomingMessage): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    // Keep draining so the connection stays usable, but stop storing.
    if (size <= MAX_BODY_BYTES) chunks.push(buffer);
  }
  if (size > MAX_BODY_BYTES) {
    const message = `Request body exceeds ${MAX_BODY_BYTES} bytes.`;
    throw new ApiProblem(413, 'PAYLOAD_TOO_LARGE', message);
  }
  return size === 0 ? undefined : Buffer.concat(chunks).toString('utf8');
}

/** The body for the request log: parsed JSON when it parses, else the text. */
export function bodyForLog(raw: string | undefined): unknown {
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return raw;
  }
}

/**
 * Parses a JSON request body, insisting on a JSON content type so a client
 * that forgets the header is told so instead of silently accepted.
 */
export function parseJsonBody(contentType: string, raw: string | undefined): unknown {
  if (raw === undefined || raw.trim() === '') {
    throw badRequest('MISSING_BODY', 'This call needs a JSON request body.');
  }
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType)) {
    throw badRequest(
      'UNSUPPORTED_CONTENT_TYPE',
      `Content-Type must be application/json; got '${contentType || 'none'}'.`,
    );
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw badRequest('INVALID_JSON', `Request body is not valid JSON: ${reason}`);
  }
}

/** The query as a record; a key given more than once becomes an array. */
export function queryRecord(params: URLSearchParams): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const values = params.getAll(key);
    record[key] = values.length === 1 ? (values[0] as string) : values;
  }
  return record;
}

export function writeResponse(res: ServerResponse, response: ApiResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let payload = '';
  if (response.text !== undefined) {
    payload = response.text;
    headers['content-type'] ??= 'text/plain; charset=utf-8';
  } else if (response.body !== undefined) {
    payload = JSON.stringify(response.body);
    headers['content-type'] ??= 'application/json';
  }
  headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}

export function problemResponse(problem: ApiProblem): ApiResponse {
  const headers = { ...problem.headers };
  return { status: problem.status, body: problem.toBody(), headers };
}
