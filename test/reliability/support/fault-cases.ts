/**
 * The faults route-faults.test.ts throws at each route, and what each one
 * must end with. Data only.
 */
import type { FaultSpec } from '../../../src/emulator/index.js';

export interface Case {
  name: string;
  fault: FaultSpec;
  /** Aim the fault at the oldest job's outcome report instead of the first match. */
  atReport?: boolean;
  /** The oldest job's status at the end (default `completed`). */
  oldest?: 'completed' | 'failed';
  /** `started` events sent for the oldest job (default 1). */
  started?: number;
  soleWorker?: boolean;
  pageSize?: number;
  /** The fault may hide the oldest job from one listing, so it can be claimed later. */
  mayReorder?: boolean;
}

export const once = <F extends FaultSpec>(fault: F): F => ({ times: 1, ...fault });

export const listJobs: Case[] = [
  { name: '503', fault: once({ kind: 'status', status: 503, route: 'listJobs' }) },
  { name: '429', fault: once({ kind: 'rateLimit', route: 'listJobs' }) },
  { name: 'reset', fault: once({ kind: 'reset', route: 'listJobs' }) },
  { name: 'hang', fault: once({ kind: 'hang', route: 'listJobs' }) },
  { name: 'hang after headers', fault: once({ kind: 'hang', send: 'headers', route: 'listJobs' }) },
  { name: 'hang mid-body', fault: once({ kind: 'hang', send: 'partialBody', route: 'listJobs' }) },
  { name: 'not JSON', fault: once({ kind: 'notJson', route: 'listJobs' }) },
  ...(['missingId', 'badCreatedAt', 'missingStatus'] as const).map((mode) => ({
    name: `record ${mode}`,
    fault: once({ kind: 'brokenRecord', mode, route: 'listJobs' }),
    mayReorder: true,
  })),
  { name: 'stuck cursor', fault: once({ kind: 'stuckCursor', route: 'listJobs' }), pageSize: 1 },
  { name: 'sorting ignored', fault: { kind: 'ignoreSorting', route: 'listJobs' } },
  { name: 'status filter ignored', fault: { kind: 'ignoreStatusFilter', route: 'listJobs' } },
  { name: 'slow', fault: { kind: 'latency', ms: 150, route: 'listJobs' } },
];

export const started: Case[] = [
  { name: '503', fault: once({ kind: 'status', status: 503, route: 'jobEvents' }), started: 2 },
  {
    name: '502 with no body',
    fault: once({ kind: 'status', status: 502, body: '', route: 'jobEvents' }),
    started: 2,
  },
  { name: '429', fault: once({ kind: 'rateLimit', route: 'jobEvents' }), started: 2 },
  { name: 'reset before apply', fault: once({ kind: 'reset', route: 'jobEvents' }), started: 2 },
  { name: 'hang before apply', fault: once({ kind: 'hang', route: 'jobEvents' }), started: 2 },
  {
    name: 'not JSON, not applied',
    fault: once({ kind: 'notJson', route: 'jobEvents' }),
    started: 2,
  },
  {
    name: 'reset after apply',
    fault: once({ kind: 'resetAfterApply', route: 'jobEvents' }),
    soleWorker: true,
  },
  {
    name: 'hang after apply',
    fault: once({ kind: 'hangAfterApply', route: 'jobEvents' }),
    soleWorker: true,
  },
  {
    name: 'answer later than the deadline',
    fault: once({ kind: 'latency', ms: 600, phase: 'after', route: 'jobEvents' }),
    soleWorker: true,
  },
];

const atReport = (name: string, fault: FaultSpec): Case =>
  ({ name, fault: { ...fault, route: 'jobEvents' }, atReport: true });

export const report: Case[] = [
  atReport('503', { kind: 'status', status: 503 }),
  atReport('429 with Retry-After', { kind: 'rateLimit', retryAfter: 0 }),
  atReport('reset before apply', { kind: 'reset' }),
  atReport('reset after apply', { kind: 'resetAfterApply' }),
  atReport('hang before apply', { kind: 'hang' }),
  atReport('hang after apply', { kind: 'hangAfterApply' }),
  atReport('not JSON, not applied', { kind: 'notJson' }),
];

export const itemRoutes = (['getItems', 'exportItems', 'putItems'] as const).flatMap((route) => [
  { name: `${route} 503`, fault: once({ kind: 'status', status: 503, route }) },
  { name: `${route} 429`, fault: once({ kind: 'rateLimit', retryAfter: 0, route }) },
  { name: `${route} reset`, fault: once({ kind: 'reset', route }) },
  { name: `${route} hang`, fault: once({ kind: 'hang', send: 'headers', route }) },
  // Not retryable: the processor throws, so the export is reported failed, once.
  { name: `${route} not JSON`, fault: once({ kind: 'notJson', route }), oldest: 'failed' },
  {
    name: `${route} record without id`,
    fault: once({ kind: 'brokenRecord', mode: 'missingId', route }),
    oldest: 'failed',
  },
] satisfies Case[]);
