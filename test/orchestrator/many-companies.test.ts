import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createExportOrchestrator } from '../../src/orchestrator/orchestrator.js';
import type { MultiCompanyOrchestrator } from '../../src/orchestrator/multi-orchestrator.js';
import type { OrchestratorOptions } from '../../src/orchestrator/options.js';
import type { JobOutcome } from '../../src/orchestrator/types.js';
import { MemoryStateStore } from '../../src/persistence/state-store.js';

const COMPANIES = ['company-a', 'company-b', 'company-c'];
const tokenOf = (company: string) => `tok-${company}`;

let emulator: Emulator | undefined;
let orchestrator: MultiCompanyOrchestrator | undefined;
afterEach(async () => {
  await orchestrator?.stop(1_000);
  await emulator?.close();
  orchestrator = undefined;
  emulator = undefined;
});

interface Processed {
  companyId: string;
  jobId: string;
  start: number;
  end: number;
}

async function setup(options: Partial<OrchestratorOptions> = {}, delayMs = 15) {
  emulator = await startEmulator({
    expireJobs: false,
    tokens: COMPANIES.map((company) => ({ token: tokenOf(company), companyIds: [company] })),
  });
  const processed: Processed[] = [];
  orchestrator = createExportOrchestrator({
    apiUrl: emulator.url,
    companies: COMPANIES.map((companyId) => ({
      companyId,
      credentials: { token: tokenOf(companyId) },
    })),
    schedule: false,
    detectOnStart: false,
    store: new MemoryStateStore(),
    retryBackoffMs: { base: 5, max: 20 },
    processor: async (job): Promise<JobOutcome> => {
      const start = performance.now();
      await new Promise((resolve) => setTimeout(resolve, delayMs));
      processed.push({ companyId: job.companyId!, jobId: job.id, start, end: performance.now() });
      return { status: 'completed' };
    },
    ...options,
  } as OrchestratorOptions & { companies: string[] });
  await orchestrator.start();
  return { emulator, orchestrator, processed };
}

function createBacklog(emu: Emulator, perCompany: number) {
  const created: Array<{ id: string; companyId: string; createdAt: string }> = [];
  for (let i = 0; i < perCompany; i++) {
    for (const companyId of COMPANIES) {
      const minute = String(59 - i).padStart(2, '0');
      const job = emu.createJob({ companyId, createdAt: `2026-11-30T09:${minute}:00Z` });
      created.push({ id: job.id, companyId, createdAt: job.createdAt });
    }
  }
  return created;
}

describe('many companies in one process', () => {
  it('runs companies in parallel, each oldest first and one job at a time', async () => {
    const { emulator: emu, orchestrator: orch, processed } = await setup();
    const created = createBacklog(emu, 4);
    orch.trigger('manual');
    await orch.settled();

    expect(processed).toHaveLength(created.length);
    for (const companyId of COMPANIES) {
      const mine = processed.filter((p) => p.companyId === companyId);
      const expected = created
        .filter((c) => c.companyId === companyId)
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt))
        .map((c) => c.id);
      expect(mine.map((p) => p.jobId)).toEqual(expected);
      for (let i = 1; i < mine.length; i++) {
        expect(mine[i]!.start).toBeGreaterThanOrEqual(mine[i - 1]!.end);
      }
    }
    const overlapping = processed.some((a) =>
      processed.some((b) => a.companyId !== b.companyId && a.start < b.end && b.start < a.end));
    expect(overlapping).toBe(true);
  });

  it('stops only the company whose token is revoked; the others finish', async () => {
    const { emulator: emu, orchestrator: orch, processed } = await setup();
    createBacklog(emu, 2);
    emu.revokeToken(tokenOf('company-b'));
    orch.trigger('manual');
    const status = await orch.settled();

    const byCompany = Object.fromEntries(status.lanes.map((lane) => [lane.companyId, lane]));
    expect(byCompany['company-b']).toMatchObject({
      state: 'fatal',
      lastFailure: { code: 'PLEO_AUTH_REJECTED' },
    });
    expect(byCompany['company-a']?.state).toBe('idle');
    expect(processed.filter((p) => p.companyId === 'company-b')).toEqual([]);
    expect(processed.filter((p) => p.companyId !== 'company-b')).toHaveLength(4);
  });

  it('routes a trigger to its company only', async () => {
    const { emulator: emu, orchestrator: orch } = await setup();
    emu.createJob({ companyId: 'company-c', createdAt: '2026-11-30T09:00:00Z' });
    expect(orch.trigger('webhook', 'company-c')).toBe(true);
    expect(orch.trigger('webhook', 'unknown-company')).toBe(false);
    await orch.settled();
    const listed = emu.requests({ route: 'listJobs' }).map((r) => r.query.company_id);
    expect(new Set(listed)).toEqual(new Set(['company-c']));
  });

  it('adds and removes companies while running', async () => {
    const { emulator: emu, orchestrator: orch, processed } = await setup();
    emu.addToken({ token: tokenOf('company-d'), companyIds: ['company-d'] });
    const job = emu.createJob({ companyId: 'company-d', createdAt: '2026-11-30T09:00:00Z' });
    await orch.addCompany({ companyId: 'company-d', credentials: { token: tokenOf('company-d') } });
    await orch.settled();
    expect(processed.map((p) => p.jobId)).toEqual([job.id]);

    expect(await orch.removeCompany('company-a')).toBe(true);
    expect(orch.companies()).toEqual(['company-b', 'company-c', 'company-d']);
    emu.createJob({ companyId: 'company-a', createdAt: '2026-11-30T09:00:00Z' });
    orch.trigger('manual');
    await orch.settled();
    expect(processed.some((p) => p.companyId === 'company-a')).toBe(false);
  });

  it('never has more requests in flight than the process-wide limit, under a storm', async () => {
    const { emulator: emu, orchestrator: orch, processed } = await setup(
      { maxConcurrentRequests: 2 },
      0,
    );
    emu.addFault({ kind: 'latency', ms: 10, route: '*' });
    const created = createBacklog(emu, 3);
    for (let i = 0; i < 300; i++) orch.trigger(i % 2 ? 'webhook' : 'schedule');
    await orch.settled();
    expect(processed).toHaveLength(created.length);
    expect(orch.status().requests.peak).toBe(2);
  });

  it('with organisation credentials, one listing serves every company at once', async () => {
    emulator = await startEmulator({ expireJobs: false });
    const processed: string[] = [];
    orchestrator = createExportOrchestrator({
      apiUrl: emulator.url,
      credentials: { token: emulator.token },
      companies: COMPANIES,
      schedule: false,
      detectOnStart: false,
      store: new MemoryStateStore(),
      processor: async (job) => {
        processed.push(job.id);
        return { status: 'completed' };
      },
    });
    await orchestrator.start();
    createBacklog(emulator, 1);
    orchestrator.trigger('schedule');
    await orchestrator.settled();
    expect(processed).toHaveLength(3);
    const lists = emulator.requests({ route: 'listJobs' });
    expect(lists.every((r) => r.query.company_id === undefined)).toBe(true);
    // One shared listing for the first round, then at most one per drain round.
    expect(lists.length).toBeLessThanOrEqual(4);
  });
});

describe('a poll with organisation credentials', () => {
  it('lists once and wakes only the companies with work', async () => {
    emulator = await startEmulator({ expireJobs: false });
    const companies = Array.from({ length: 50 }, (_, i) => `org-company-${i}`);
    const processed: string[] = [];
    orchestrator = createExportOrchestrator({
      apiUrl: emulator.url,
      credentials: { token: emulator.token },
      companies,
      schedule: '* * * * * *',
      detectOnStart: false,
      store: new MemoryStateStore(),
      processor: async (job) => {
        processed.push(job.companyId!);
        return { status: 'completed' };
      },
    });
    await orchestrator.start();
    emulator.createJob({ companyId: 'org-company-7', createdAt: '2026-11-30T09:00:00Z' });
    const deadline = Date.now() + 5_000;
    while (processed.length === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await orchestrator.settled();
    await orchestrator.stop(1_000);

    expect(processed).toEqual(['org-company-7']);
    const lanes = orchestrator.status().lanes;
    const detected = lanes.filter((lane) => lane.counters.detections > 0).map((l) => l.companyId);
    expect(detected).toEqual(['org-company-7']);
    // One listing per tick (no company_id), plus the busy lane's own drain check.
    const lists = emulator.requests({ route: 'listJobs' });
    expect(lists.every((r) => r.query.company_id === undefined)).toBe(true);
    expect(lists.length).toBeLessThanOrEqual(6);
  });
});
