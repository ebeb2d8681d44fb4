/**
 * One Pleo request from arrival to answer: log it, read its body, roll the
 * faults, check the credential, run the route, then answer, or break the
 * connection as a fault says.
 *
 * The route itself runs synchronously, so no injected latency, no awaited
 * I/O, can ever split a check from its change.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthResult } from './auth.js';
import type { Clock } from './clock.js';
import { breakRecord, isBreakage, planFaults, type Breakage } from './fault-plan.js';
import {
  bodyForLog,
  problemResponse,
  queryRecord,
  readBody,
  writeResponse,
  type ApiResponse,
} from './http-io.js';
import type { ResolvedOptions } from './options.js';
import { ApiProblem } from './problem.js';
import type { RecordedRequest } from './request-log.js';
import { matchRoute, type RouteContext } from './router.js';
import { PLEO_ROUTES } from './routes/index.js';
import type { EmulatorState } from './state.js';

export interface PipelineDeps {
  state: () => EmulatorState;
  options: ResolvedOptions;
  clock: Clock;
  /** Aborted when the emulator closes, ending every injected wait. */
  closing: AbortSignal;
}

export async function handleApiRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: PipelineDeps,
): Promise<void> {
  const state = deps.state();
  const url = new URL(req.url ?? '/', 'http://emulator.invalid');
  const method = req.method ?? 'GET';
  const match = matchRoute(PLEO_ROUTES, method, url.pathname);
  const auth = state.tokens.authenticate(req.headers.authorization);
  const record = state.requests.start({
    method,
    path: url.pathname,
    route: match.kind === 'found' ? match.route.name : 'unknown',
    query: queryRecord(url.searchParams),
    body: undefined,
    time: deps.clock.iso(),
    auth: authLabel(auth),
  });
  const answer = (response: ApiResponse) => send(res, record, response);

  let rawBody: string | undefined;
  try {
    rawBody = await readBody(req);
  } catch (error) {
    if (error instanceof ApiProblem) return answer(problemResponse(error));
    // The client went away mid-body: there is no one left to answer.
    deps.options.logger.debug({ err: error, seq: record.seq }, 'request body aborted');
    return;
  }
  record.body = bodyForLog(rawBody);

  if (match.kind === 'notFound') {
    const message = `No route ${method} ${url.pathname}.`;
    return answer({ status: 404, body: { type: 'NOT_FOUND', message } });
  }
  if (match.kind === 'methodNotAllowed') {
    const message = `${method} is not allowed on ${url.pathname}.`;
    const headers = { allow: match.allow.join(', ') };
    return answer({ status: 405, body: { type: 'METHOD_NOT_ALLOWED', message }, headers });
  }

  const jobId = match.params['jobId'] ?? url.searchParams.get('job_id') ?? jobIdIn(rawBody);
  if (jobId !== undefined) record.jobId = jobId;
  const plan = planFaults(state.faults.take(match.route.name, jobId), state.faults);
  record.faults = plan.kinds;

  if (!(await wait(plan.delayBeforeMs, deps.closing))) return;
  if (plan.instead) {
    if (isBreakage(plan.instead)) return breakOff(res, record, plan.instead, 200);
    return answer(plan.instead);
  }
  if (!auth.ok) return answer(problemResponse(auth.problem));

  const context: RouteContext = {
    state,
    options: deps.options,
    params: match.params,
    query: url.searchParams,
    contentType: req.headers['content-type'] ?? '',
    rawBody,
    identity: auth.identity,
    quirks: plan.quirks,
  };
  let response = runRoute(() => match.route.handler(context));
  if (plan.breakRecord) response = breakRecord(response, plan.breakRecord);
  if (plan.afterApply) return breakOff(res, record, plan.afterApply, response.status);

  if (!(await wait(plan.delayAfterMs, deps.closing))) return;
  answer(response);
}

function runRoute(route: () => ApiResponse): ApiResponse {
  try {
    return route();
  } catch (error) {
    if (error instanceof ApiProblem) return problemResponse(error);
    throw error;
  }
}

function send(res: ServerResponse, record: RecordedRequest, response: ApiResponse): void {
  // A client that gave up (its timeout) never sees the answer; the log says so.
  if (res.socket === null || res.socket.destroyed) {
    record.outcome = 'clientClosed';
    return;
  }
  writeResponse(res, response);
  record.status = response.status;
  record.outcome = 'answered';
}

/** Ends the exchange the way a broken network or server would. */
function breakOff(
  res: ServerResponse,
  record: RecordedRequest,
  breakage: Breakage,
  status: number,
): void {
  if (breakage.kind === 'reset') {
    record.outcome = 'reset';
    res.socket?.resetAndDestroy();
    return;
  }
  record.outcome = 'hung';
  if (breakage.send === 'nothing') return;
  res.writeHead(status, { 'content-type': 'application/json' });
  if (breakage.send === 'headers') res.flushHeaders();
  else res.write('{"data":[{"id":');
  // The response is never ended; close() destroys its socket.
}

/** Waits unless the emulator closes first; false when it did. */
async function wait(ms: number, closing: AbortSignal): Promise<boolean> {
  if (ms <= 0) return !closing.aborted;
  try {
    await sleep(ms, undefined, { signal: closing });
    return true;
  } catch {
    return false;
  }
}

function jobIdIn(rawBody: string | undefined): string | undefined {
  const body = bodyForLog(rawBody);
  if (typeof body !== 'object' || body === null || !('jobId' in body)) return undefined;
  return typeof body.jobId === 'string' ? body.jobId : undefined;
}

function authLabel(auth: AuthResult): string {
  return auth.ok ? `${auth.scheme}:${auth.identity.label}` : auth.label;
}
