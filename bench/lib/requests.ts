/**
 * API calls counted where Pleo would count them: in the emulator's request
 * log, whoever sent them (the product or the baseline).
 */
import type { Emulator, RecordedRequest } from '../../src/emulator/index.js';

export interface RequestCounts {
  /** `GET /v3/export-jobs`, every page. */
  lists: number;
  /** List calls without `after`: one per detection. */
  detections: number;
  started: number;
  /** `completed`, `completed_with_errors`, `failed`. */
  outcomes: number;
  /** Events refused as a conflict, already included in started/outcomes. */
  conflicts: number;
  getJob: number;
  other: number;
  total: number;
}

/** Counts the log, refusing to if the log dropped entries (it keeps 10 000). */
export function countRequests(emulator: Emulator): RequestCounts {
  const log = emulator.requests();
  if (log.length > 0 && log[0]!.seq !== 1) {
    throw new Error('The emulator request log overflowed; counts would be short.');
  }
  return tally(log);
}

export function tally(log: readonly RecordedRequest[]): RequestCounts {
  const counts: RequestCounts = {
    lists: 0, detections: 0, started: 0, outcomes: 0,
    conflicts: 0, getJob: 0, other: 0, total: log.length,
  };
  for (const entry of log) {
    if (entry.route === 'listJobs') {
      counts.lists += 1;
      if (entry.query['after'] === undefined) counts.detections += 1;
    } else if (entry.route === 'jobEvents') {
      const event = (entry.body as { event?: unknown } | undefined)?.event;
      if (event === 'started') counts.started += 1;
      else counts.outcomes += 1;
      if (entry.status !== undefined && entry.status >= 400) counts.conflicts += 1;
    } else if (entry.route === 'getJob') {
      counts.getJob += 1;
    } else {
      counts.other += 1;
    }
  }
  return counts;
}

/** When the emulator received each job's `started`, by job id (epoch ms). */
export function startedAt(emulator: Emulator): Map<string, number> {
  const times = new Map<string, number>();
  for (const entry of emulator.requests({ route: 'jobEvents' })) {
    const body = entry.body as { event?: unknown; jobId?: unknown } | undefined;
    if (body?.event !== 'started' || typeof body.jobId !== 'string') continue;
    if (entry.status !== 200 || times.has(body.jobId)) continue;
    times.set(body.jobId, Date.parse(entry.time));
  }
  return times;
}
