/**
 * Fault injection: what can go wrong on each route, when, and how often.
 * Faults are data (checked with zod, so the control surface can take them as
 * JSON) and every dice roll comes from the emulator's seeded PRNG.
 */
import { z } from 'zod';
import type { Random } from './random.js';

/** The routes faults can target; `*` matches every Pleo route. */
export const FAULT_ROUTES = [
  'listJobs',
  'getJob',
  'jobEvents',
  'getItems',
  'putItems',
  'exportItems',
  'subscriptions',
  '*',
] as const;
export type FaultRoute = (typeof FAULT_ROUTES)[number];
export type RouteName = Exclude<FaultRoute, '*'>;

const match = {
  /** Which route; every Pleo route when absent or `*`. */
  route: z.enum(FAULT_ROUTES).optional(),
  /** Only requests about this job (path, `job_id` query or event body). */
  jobId: z.string().optional(),
  /** Only the next N requests it fires on; forever when absent. */
  times: z.number().int().positive().optional(),
  /** The chance it fires on a matching request (default 1). */
  probability: z.number().min(0).max(1).optional(),
};

const milliseconds = z.union([
  z.number().nonnegative(),
  z.strictObject({ min: z.number().nonnegative(), max: z.number().nonnegative() }),
]);
/** What a hanging answer sends before it goes silent. */
const hangSend = z.enum(['nothing', 'headers', 'partialBody']).optional();
const kind = <K extends string>(name: K) => z.literal(name);

export const FaultSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: kind('latency'),
    ms: milliseconds,
    /** `after` applies the request first, then waits before answering. */
    phase: z.enum(['before', 'after']).optional(),
    ...match,
  }),
  z.strictObject({
    kind: kind('status'),
    status: z.number().int().min(400).max(599),
    body: z.unknown().optional(),
    ...match,
  }),
  z.strictObject({
    kind: kind('rateLimit'),
    /** Seconds for the `Retry-After` header; the header is left out when absent. */
    retryAfter: z.number().int().min(0).optional(),
    ...match,
  }),
  z.strictObject({ kind: kind('reset'), ...match }),
  z.strictObject({ kind: kind('hang'), send: hangSend, ...match }),
  z.strictObject({ kind: kind('resetAfterApply'), ...match }),
  z.strictObject({ kind: kind('hangAfterApply'), send: hangSend, ...match }),
  z.strictObject({
    kind: kind('notJson'),
    status: z.number().int().min(200).max(599).optional(),
    body: z.string().optional(),
    ...match,
  }),
  z.strictObject({
    kind: kind('brokenRecord'),
    mode: z.enum(['missingId', 'badCreatedAt', 'missingStatus']).optional(),
    /** Which record of a list to break (default the first). */
    index: z.number().int().min(0).optional(),
    ...match,
  }),
  z.strictObject({ kind: kind('ignoreSorting'), ...match }),
  z.strictObject({ kind: kind('ignoreStatusFilter'), ...match }),
  z.strictObject({ kind: kind('stuckCursor'), ...match }),
]);

/** A fault as given to `setFaults`, `addFault` or the control surface. */
export type FaultSpec = z.input<typeof FaultSchema>;
/** A fault as the emulator holds it: checked, with its remaining `times`. */
export type Fault = z.output<typeof FaultSchema>;
export type FaultKind = Fault['kind'];

/** Kinds that end a request one way or another; one of each group fires. */
const ENDINGS: Partial<Record<FaultKind, 'instead' | 'afterApply'>> = {
  status: 'instead',
  rateLimit: 'instead',
  reset: 'instead',
  hang: 'instead',
  notJson: 'instead',
  resetAfterApply: 'afterApply',
  hangAfterApply: 'afterApply',
};

/** Checks fault specs; throws a TypeError naming the bad field. */
export function parseFaults(input: unknown): Fault[] {
  const parsed = z.array(FaultSchema).safeParse(input);
  if (!parsed.success) {
    throw new TypeError(`Invalid fault: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export class FaultBook {
  #faults: Fault[] = [];
  readonly #random: Random;

  constructor(random: Random, initial: readonly FaultSpec[] = []) {
    this.#random = random;
    this.#faults = parseFaults(initial);
  }

  set(specs: readonly FaultSpec[]): void {
    this.#faults = parseFaults(specs);
  }

  add(spec: FaultSpec): void {
    this.#faults.push(...parseFaults([spec]));
  }

  clear(): void {
    this.#faults = [];
  }

  list(): Fault[] {
    return structuredClone(this.#faults);
  }

  /**
   * The faults that fire on one request, in the order they were set. Each
   * fired fault uses up one of its `times`; a used-up fault is removed. Of
   * the faults that replace the answer (or break the connection after the
   * route ran) only the first fires, so a second one keeps its `times` for
   * the next request.
   */
  take(route: RouteName, jobId: string | undefined): Fault[] {
    const fired: Fault[] = [];
    const endings = new Set<string>();
    for (const fault of this.#faults) {
      const anyRoute = fault.route === undefined || fault.route === '*';
      if (!anyRoute && fault.route !== route) continue;
      if (fault.jobId !== undefined && fault.jobId !== jobId) continue;
      const ending = ENDINGS[fault.kind];
      if (ending !== undefined && endings.has(ending)) continue;
      if (!this.#random.chance(fault.probability ?? 1)) continue;
      if (ending !== undefined) endings.add(ending);
      fired.push(fault);
      if (fault.times !== undefined) fault.times -= 1;
    }
    this.#faults = this.#faults.filter((f) => f.times === undefined || f.times > 0);
    return fired;
  }

  /** Milliseconds for a latency fault, drawn from its range when it has one. */
  latencyOf(ms: number | { min: number; max: number }): number {
    if (typeof ms === 'number') return ms;
    return this.#random.int(Math.min(ms.min, ms.max), Math.max(ms.min, ms.max));
  }
}
