/**
 * Every route the orchestrator and its processor use, broken each way the
 * emulator knows: 5xx, 429 with and without Retry-After, resets, answers that
 * never finish, non-JSON, records that break the schema, cursors that do not
 * move. Whatever breaks, the orchestrator comes to rest, each job ends in a
 * terminal status, no claim is sent again once applied, and no job is
 * processed twice.
 */
import { describe, expect, it } from 'vitest';
import type { FaultSpec, Job } from '../../src/emulator/index.js';
import { MemoryStateStore } from '../../src/persistence/state-store.js';
import { examineClaims } from '../soak/claims.js';
import { outOfOrder } from '../soak/verdict.js';
import { itemRoutes, listJobs, once, report, started, type Case } from './support/fault-cases.js';
import { startInProcess } from './support/in-process.js';
import { COMPANY_A, useScene } from './support/scene.js';

const scene = useScene();

async function runCase(c: Case): Promise<{ jobs: Job[]; oldest: Job }> {
  const { emulator } = scene();
  const oldest = emulator.createJob({ companyId: COMPANY_A, createdAt: '2026-11-30T09:00:00Z' });
  // Later as an instant (09:30Z), earlier as text.
  const newerAt = '2026-11-30T08:30:00-01:00';
  const newer = emulator.createJob({ companyId: COMPANY_A, createdAt: newerAt });
  emulator.createJob({ companyId: COMPANY_A, createdAt: '2026-11-30T08:00:00Z', status: 'failed' });
  if (!c.atReport) emulator.addFault(c.fault);
  let aimed = false;
  const run = await startInProcess(emulator, {
    soleWorker: c.soleWorker ?? false,
    ...(c.pageSize ? { pageSize: c.pageSize } : {}),
    onRun: (job) => {
      if (!c.atReport || aimed || job.id !== oldest.id) return;
      aimed = true;
      emulator.addFault({ ...c.fault, jobId: job.id, times: 1 });
    },
  });
  try {
    // A healthy case rests within a second or two; longer is a stall.
    await run.drain(2_500);
    expect(run.runs.filter((id) => id === oldest.id)).toHaveLength(1);
    expect(run.runs.filter((id) => id === newer.id)).toHaveLength(1);
    expect(run.orchestrator.status().unknownClaims).toEqual([]);
  } finally {
    await run.orchestrator.stop(500);
  }
  return { jobs: [oldest, newer], oldest };
}

function expectSettled(c: Case, jobs: Job[], oldest: Job) {
  const { emulator } = scene();
  expect(emulator.getJob(oldest.id)?.status).toBe(c.oldest ?? 'completed');
  expect(emulator.getJob(jobs[1]!.id)?.status).toBe('completed');
  const claims = examineClaims(emulator.requests());
  expect(claims.startedPerJob.get(oldest.id)).toBe(c.started ?? 1);
  expect(claims.startedPerJob.get(jobs[1]!.id)).toBe(1);
  expect(claims.resentAfterApplied).toEqual([]);
  if (!c.mayReorder) {
    expect(outOfOrder(emulator.jobs(), [...claims.claimedBy.keys()])).toEqual([]);
  }
}

describe.each([
  ['listing jobs', listJobs],
  ['claiming (started)', started],
  ['reporting the outcome', report],
  ["the processor's item calls", itemRoutes],
] as const)('a fault while %s', (_, cases) => {
  it.each(cases)('($name) ends with each job terminal, claimed and processed once', async (c) => {
    const { jobs, oldest } = await runCase(c);
    expectSettled(c, jobs, oldest);
  });
});

describe('a fault while reading a held job back', () => {
  const cases = [
    once({ kind: 'status', status: 503 }),
    once({ kind: 'reset' }),
    once({ kind: 'hang' }),
    once({ kind: 'notJson' }),
    once({ kind: 'brokenRecord', mode: 'missingStatus' }),
  ] satisfies FaultSpec[];

  it.each(cases)('($kind) still releases it once Pleo shows it finished', async (fault) => {
    const { emulator } = scene();
    const held = emulator.createJob({ status: 'completed' });
    const pending = emulator.createJob({ companyId: COMPANY_A });
    emulator.addFault({ ...fault, route: 'getJob' });
    const store = new MemoryStateStore();
    await store.save('default', {
      version: 1,
      heldJob: { id: held.id, createdAt: held.createdAt, since: Date.now() },
      claimIntent: null,
      unknownClaimIds: [],
      updatedAt: Date.now(),
    });
    const run = await startInProcess(emulator, { store });
    try {
      await run.drain();
    } finally {
      await run.orchestrator.stop(500);
    }
    expect(run.events.some((e) => e.type === 'job:released' && e.jobId === held.id)).toBe(true);
    expect(emulator.requests({ route: 'getJob', jobId: held.id }).length).toBeGreaterThan(1);
    expect(emulator.requests({ route: 'jobEvents', jobId: held.id })).toEqual([]);
    expect(emulator.getJob(pending.id)?.status).toBe('completed');
  });
});

describe('Retry-After on a 429', () => {
  it('is waited for before the listing is tried again', async () => {
    const { emulator } = scene();
    emulator.createJob({ companyId: COMPANY_A });
    emulator.addFault(once({ kind: 'rateLimit', retryAfter: 1, route: 'listJobs' }));
    const run = await startInProcess(emulator);
    try {
      await run.drain();
    } finally {
      await run.orchestrator.stop(500);
    }
    const [first, second] = emulator.requests({ route: 'listJobs' });
    const gap = Date.parse(second!.time) - Date.parse(first!.time);
    expect(first!.status).toBe(429);
    expect(gap).toBeGreaterThanOrEqual(990);
  });
});
