/**
 * Turns the faults that fired on a request into what the server does: wait,
 * answer instead of the route, let the route run with quirks, reshape its
 * answer, or break the connection after the route ran.
 */
import type { ApiResponse } from './http-io.js';
import type { Fault, FaultBook } from './faults.js';

/** How a faulty answer ends when it is not a normal response. */
export type Breakage =
  | { kind: 'reset' }
  | { kind: 'hang'; send: 'nothing' | 'headers' | 'partialBody' };

/** Ways a listing can misbehave while still answering 200. */
export interface Quirks {
  ignoreSorting: boolean;
  ignoreStatusFilter: boolean;
  stuckCursor: boolean;
}

export interface FaultPlan {
  /** The kinds that fired, for the request log. */
  kinds: string[];
  delayBeforeMs: number;
  delayAfterMs: number;
  /** Answer this instead of running the route (the request is not applied). */
  instead?: ApiResponse | Breakage;
  /** Run the route, then break the connection instead of answering. */
  afterApply?: Breakage;
  quirks: Quirks;
  breakRecord?: { mode: 'missingId' | 'badCreatedAt' | 'missingStatus'; index: number };
}

export function planFaults(fired: readonly Fault[], book: FaultBook): FaultPlan {
  const plan: FaultPlan = {
    kinds: fired.map((f) => f.kind),
    delayBeforeMs: 0,
    delayAfterMs: 0,
    quirks: { ignoreSorting: false, ignoreStatusFilter: false, stuckCursor: false },
  };
  for (const fault of fired) addToPlan(plan, fault, book);
  return plan;
}

function addToPlan(plan: FaultPlan, fault: Fault, book: FaultBook): void {
  switch (fault.kind) {
    case 'latency':
      if (fault.phase === 'after') plan.delayAfterMs += book.latencyOf(fault.ms);
      else plan.delayBeforeMs += book.latencyOf(fault.ms);
      return;
    case 'ignoreSorting':
    case 'ignoreStatusFilter':
    case 'stuckCursor':
      plan.quirks[fault.kind] = true;
      return;
    case 'brokenRecord':
      plan.breakRecord = { mode: fault.mode ?? 'missingId', index: fault.index ?? 0 };
      return;
    case 'resetAfterApply':
      plan.afterApply ??= { kind: 'reset' };
      return;
    case 'hangAfterApply':
      plan.afterApply ??= { kind: 'hang', send: fault.send ?? 'nothing' };
      return;
    default:
      // The first fault that replaces the answer wins; later ones are moot.
      plan.instead ??= replacement(fault);
  }
}

function replacement(fault: Fault): ApiResponse | Breakage | undefined {
  switch (fault.kind) {
    case 'status':
      return {
        status: fault.status,
        body: fault.body ?? {
          type: fault.status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'INJECTED_FAULT',
          message: `Injected fault: status ${fault.status}.`,
        },
      };
    case 'rateLimit':
      return {
        status: 429,
        body: { type: 'TOO_MANY_REQUESTS', message: 'Rate limit exceeded (injected).' },
        headers:
          fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) },
      };
    case 'notJson':
      return {
        status: fault.status ?? 200,
        text: fault.body ?? '<html><body>502 Bad Gateway</body></html>',
        headers: { 'content-type': 'application/json' },
      };
    case 'reset':
      return { kind: 'reset' };
    case 'hang':
      return { kind: 'hang', send: fault.send ?? 'nothing' };
    default:
      return undefined;
  }
}

export function isBreakage(value: ApiResponse | Breakage): value is Breakage {
  return 'kind' in value;
}

/**
 * A copy of the answer whose chosen record no longer fits Pleo's schema.
 * Only the answer changes; the stored job stays intact.
 */
export function breakRecord(
  response: ApiResponse,
  how: NonNullable<FaultPlan['breakRecord']>,
): ApiResponse {
  if (!isRecord(response.body) || response.status >= 300) return response;
  const body = structuredClone(response.body);
  const data = body['data'];
  const target = Array.isArray(data) ? data[how.index] : data;
  if (!isRecord(target)) return response;

  if (how.mode === 'missingId') {
    delete target['id'];
    delete target['accountingEntryId'];
  } else if (how.mode === 'missingStatus') {
    delete target['status'];
  } else {
    target['createdAt'] = 'not-a-date';
  }
  return { ...response, body };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
