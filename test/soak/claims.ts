/**
 * What the emulator's request log says about claims: every `started` sent,
 * by whom, and whether it can have been applied. The log keeps only its last
 * 10 000 entries, so a recorder copies it while a long run goes on.
 */
import type { Emulator, RecordedRequest, RequestFilter } from '../../src/emulator/index.js';

/**
 * Copies the emulator's request log by `seq`, so nothing is lost to its cap.
 * Each copy clones the log in the emulator's own process, so copy seldom and
 * only what is needed (a `filter`), or the copying slows the emulator down.
 */
export class RequestRecorder {
  readonly #emulator: Emulator;
  readonly #filter: RequestFilter;
  readonly #bySeq = new Map<number, RecordedRequest>();
  #timer: NodeJS.Timeout | undefined;

  constructor(emulator: Emulator, filter: RequestFilter = {}) {
    this.#emulator = emulator;
    this.#filter = filter;
  }

  start(everyMs = 1_000): this {
    this.#timer = setInterval(() => this.collect(), everyMs);
    return this;
  }

  stop(): void {
    clearInterval(this.#timer);
    this.collect();
  }

  /** Later copies win: a request still open when first seen is updated. */
  collect(): void {
    for (const request of this.#emulator.requests(this.#filter)) {
      this.#bySeq.set(request.seq, request);
    }
  }

  all(): RecordedRequest[] {
    this.collect();
    return [...this.#bySeq.values()].sort((a, b) => a.seq - b.seq);
  }
}

/** Faults that answer instead of running the route: the request was not applied. */
const NOT_APPLIED = new Set(['status', 'rateLimit', 'reset', 'hang', 'notJson']);

export interface StartedEvent {
  seq: number;
  jobId: string;
  /** The worker's credential label, e.g. `bearer:w2`. */
  auth: string;
  status: number | undefined;
  faults: string[];
  /** True when this `started` moved the job to `in_progress`. */
  applied: boolean;
}

/**
 * Every `started` in arrival order, with the one that was applied marked: the
 * one answered 2xx, else the first that reached the route and got no answer
 * (cut off after the route ran, or still waiting when the emulator closed).
 * Holds while nobody else, such as a test's `applyJobEvent`, starts jobs.
 */
export function startedEvents(requests: readonly RecordedRequest[]): StartedEvent[] {
  const events: StartedEvent[] = [];
  for (const request of requests) {
    const body = request.body as { event?: unknown; jobId?: unknown } | undefined;
    if (request.route !== 'jobEvents' || body?.event !== 'started') continue;
    if (typeof body.jobId !== 'string') continue;
    const { seq, auth, status, faults } = request;
    events.push({ seq, jobId: body.jobId, auth, status, faults, applied: false });
  }
  const winners = new Map<string, StartedEvent>();
  for (const event of events) {
    if (event.status !== undefined && event.status < 300) winners.set(event.jobId, event);
  }
  for (const event of events) {
    const unanswered = event.status === undefined
      && !event.faults.some((kind) => NOT_APPLIED.has(kind));
    if (unanswered && !winners.has(event.jobId)) winners.set(event.jobId, event);
  }
  for (const winner of winners.values()) winner.applied = true;
  return events;
}

export interface ClaimFindings {
  startedSent: number;
  /** Jobs with more than one `started` that reached the route from one worker. */
  resentAfterApplied: Array<{ jobId: string; auth: string }>;
  /** `started` answered with a conflict. */
  conflicts: number;
  /** Per job, the worker whose `started` was applied. */
  claimedBy: Map<string, string>;
  startedPerJob: Map<string, number>;
}

export function examineClaims(requests: readonly RecordedRequest[]): ClaimFindings {
  const events = startedEvents(requests);
  const findings: ClaimFindings = {
    startedSent: events.length,
    resentAfterApplied: [],
    conflicts: 0,
    claimedBy: new Map(),
    startedPerJob: new Map(),
  };
  for (const event of events) {
    const count = (findings.startedPerJob.get(event.jobId) ?? 0) + 1;
    findings.startedPerJob.set(event.jobId, count);
    const injected = event.faults.some((kind) => kind !== 'latency');
    if (event.status !== undefined && event.status >= 400 && event.status < 500 && !injected) {
      findings.conflicts += 1;
    }
    const owner = findings.claimedBy.get(event.jobId);
    // Rule 7: once a worker's `started` for a job was applied, that worker
    // must never send it again, whatever answer it got.
    if (owner === event.auth) findings.resentAfterApplied.push(event);
    if (event.applied) findings.claimedBy.set(event.jobId, event.auth);
  }
  return findings;
}

/**
 * Jobs of one company that were in progress at the same time, from the
 * order in which Pleo applied their events. With `--exclusive` there should
 * be none: one lane per company.
 */
export function laneOverlaps(
  requests: readonly RecordedRequest[],
  companyOf: ReadonlyMap<string, string>,
): Array<[string, string]> {
  const spans = new Map<string, { start: number; end: number }>();
  for (const event of startedEvents(requests)) {
    if (event.applied) spans.set(event.jobId, { start: event.seq, end: Number.POSITIVE_INFINITY });
  }
  for (const request of requests) {
    const body = request.body as { event?: unknown; jobId?: unknown } | undefined;
    if (request.route !== 'jobEvents' || body?.event === 'started') continue;
    const span = typeof body?.jobId === 'string' ? spans.get(body.jobId) : undefined;
    const reached = !request.faults.some((kind) => NOT_APPLIED.has(kind));
    const ok = request.status === undefined || request.status < 300;
    if (span && reached && ok && span.end === Number.POSITIVE_INFINITY) span.end = request.seq;
  }
  const overlaps: Array<[string, string]> = [];
  const ordered = [...spans.entries()].sort((a, b) => a[1].start - b[1].start);
  const lastOpen = new Map<string, [string, { start: number; end: number }]>();
  for (const [jobId, span] of ordered) {
    const company = companyOf.get(jobId) ?? '';
    const before = lastOpen.get(company);
    if (before && before[1].end > span.start) overlaps.push([before[0], jobId]);
    if (!before || span.end > before[1].end) lastOpen.set(company, [jobId, span]);
  }
  return overlaps;
}
