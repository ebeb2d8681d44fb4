/**
 * The control surface: the programmatic API over HTTP, for tests written in
 * other languages or a developer with curl. It lives under a prefix no Pleo
 * path uses, and it has NO auth: the emulator is a loopback tool, and this
 * surface must never be reachable from beyond the machine.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toError } from '../errors.js';
import { CONTROL_ROUTES } from './control-routes.js';
import type { Emulator } from './emulator-api.js';
import {
  parseJsonBody,
  problemResponse,
  readBody,
  writeResponse,
  type ApiResponse,
} from './http-io.js';
import { ApiProblem, badRequest, notFound } from './problem.js';
import { matchRoute } from './router.js';

export const CONTROL_PREFIX = '/__emulator';

/** Answers one control request; every error becomes a `{ type, message }` body. */
export async function handleControlRequest(
  req: IncomingMessage,
  res: ServerResponse,
  emulator: Emulator,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  writeResponse(res, await answer(req, url, emulator));
}

async function answer(
  req: IncomingMessage,
  url: URL,
  emulator: Emulator,
): Promise<ApiResponse> {
  try {
    const raw = await readBody(req);
    const path = url.pathname.slice(CONTROL_PREFIX.length) || '/';
    const match = matchRoute(CONTROL_ROUTES, req.method ?? 'GET', path);
    if (match.kind === 'notFound') {
      throw notFound('NOT_FOUND', `No control route ${url.pathname}.`);
    }
    if (match.kind === 'methodNotAllowed') {
      const allow = match.allow.join(', ');
      throw new ApiProblem(405, 'METHOD_NOT_ALLOWED', `Use ${allow} on ${url.pathname}.`, {
        allow,
      });
    }

    const contentType = req.headers['content-type'] ?? '';
    const body = () => parseJsonBody(contentType, raw);
    const optionalBody = () => (raw === undefined || raw.trim() === '' ? {} : body());
    return match.route.run(emulator, {
      query: url.searchParams,
      params: match.params,
      body,
      optionalBody,
    });
  } catch (error) {
    if (error instanceof ApiProblem) return problemResponse(error);
    // The programmatic API throws TypeErrors for bad input: over HTTP, a 400.
    return problemResponse(badRequest('BAD_REQUEST', toError(error).message));
  }
}
