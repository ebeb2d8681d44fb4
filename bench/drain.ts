/**
 * Draining a backlog: N pending jobs wait when the product (or the
 * baseline) looks once. Counts every API call the emulator receives and the
 * time until the last job is reported, against the physical floor: one
 * `started` and one outcome per job, plus one list call per page.
 */
import type { Emulator } from '../src/emulator/index.js';
import { createExportOrchestrator } from '../src/orchestrator/orchestrator.js';
import type { RequestInfo } from '../src/pleo/http.js';
import { PollingBaseline } from './baseline.js';
import type { BenchContext, Benchmark, Section } from './lib/report.js';
import { countRequests, type RequestCounts } from './lib/requests.js';
import { productOptions, startBenchEmulator } from './lib/rig.js';
import { count, fixed, ms } from './lib/stats.js';

const PAGE = 100;

interface Drained {
  who: string;
  jobs: number;
  counts: RequestCounts;
  wallMs: number;
  /** Time the drainer spent waiting on list calls and on job events. */
  listMs?: number;
  eventMs?: number;
  completed: number;
}

/** N pending jobs, one a second apart in the past, oldest first by creation. */
function createBacklog(emulator: Emulator, jobs: number): void {
  const start = Date.now() - jobs * 1_000;
  for (let i = 0; i < jobs; i++) {
    emulator.createJob({ numberOfItems: 1, createdAt: new Date(start + i * 1_000) });
  }
}

const completedJobs = (emulator: Emulator) =>
  emulator.jobs().filter((job) => job.status === 'completed').length;

async function drainProduct(jobs: number, listingReuseMs?: number): Promise<Drained> {
  const emulator = await startBenchEmulator();
  createBacklog(emulator, jobs);
  const spent = { list: 0, event: 0 };
  const orchestrator = createExportOrchestrator(productOptions(emulator, {
    ...(listingReuseMs === undefined ? {} : { listingReuseMs }),
    onRequest: (info: unknown) => {
      const { method, durationMs } = info as RequestInfo;
      if (method === 'GET') spent.list += durationMs;
      else spent.event += durationMs;
    },
  }));
  await orchestrator.start();
  const started = performance.now();
  orchestrator.trigger('manual');
  await orchestrator.settled();
  const wallMs = performance.now() - started;
  await orchestrator.stop(1_000);
  const result: Drained = {
    who: listingReuseMs === undefined
      ? 'product (default listingReuseMs)'
      : `product, listingReuseMs ${listingReuseMs}`,
    jobs, counts: countRequests(emulator), wallMs,
    listMs: spent.list, eventMs: spent.event, completed: completedJobs(emulator),
  };
  await emulator.close();
  return result;
}

async function drainBaseline(jobs: number): Promise<Drained> {
  const emulator = await startBenchEmulator();
  createBacklog(emulator, jobs);
  const baseline = new PollingBaseline({
    apiUrl: emulator.url, token: emulator.token, intervalMs: 1_000,
  });
  const started = performance.now();
  await baseline.tick();
  const wallMs = performance.now() - started;
  const result: Drained = {
    who: 'baseline', jobs, counts: countRequests(emulator), wallMs,
    completed: completedJobs(emulator),
  };
  await emulator.close();
  return result;
}

const floorOf = (jobs: number) => 2 * jobs + Math.ceil(jobs / PAGE);

/** Sum of ceil(k / PAGE) for k = 1..n: one full re-listing after each job. */
function relistEveryJob(jobs: number): number {
  let lists = 0;
  for (let left = jobs; left >= 1; left--) lists += Math.ceil(left / PAGE);
  return lists;
}

export const drain: Benchmark = {
  id: 'drain',
  title: 'Draining a backlog',
  async run(context: BenchContext): Promise<Section> {
    const jobs = context.quick ? 200 : 1_000;
    context.progress(`drain: product, ${jobs} jobs`);
    const product = await drainProduct(jobs);
    context.progress(`drain: product re-listing after every job, ${jobs} jobs`);
    const relisting = await drainProduct(jobs, 0);
    context.progress(`drain: baseline, ${jobs} jobs`);
    const baseline = await drainBaseline(jobs);
    const floor = floorOf(jobs);
    const row = (d: Drained) => [
      d.who, count(d.completed), count(d.counts.lists), count(d.counts.detections),
      count(d.counts.started), count(d.counts.outcomes),
      count(d.counts.getJob + d.counts.other), count(d.counts.total),
      fixed(d.counts.total / jobs, 3), `${fixed(d.counts.total / floor)}×`,
      ms(d.wallMs), fixed(jobs / (d.wallMs / 1_000), 0),
    ];
    const within = (product.counts.total / floor - 1) * 100;
    const split = (d: Drained) => {
      const [list, events] = [d.listMs ?? 0, d.eventMs ?? 0];
      const between = d.wallMs - list - events;
      return `${d.who}: ${ms(d.wallMs)} ms = ${ms(list)} ms waiting on list calls + `
        + `${ms(events)} ms on job events + ${ms(between)} ms in the product between calls `
        + `(${fixed(between / jobs, 2)} ms/job).`;
    };
    return {
      id: 'drain',
      title: `Draining a backlog of ${count(jobs)} pending jobs`,
      method: [
        `${count(jobs)} pending jobs exist before the drainer looks once (product: one`,
        "`trigger('manual')`, then `settled()`; baseline: one `tick()`). Calls are counted",
        "in the emulator's request log. Page size 100 for both. Processing is instant.",
        `Floor = 2 × ${count(jobs)} events + ${Math.ceil(jobs / PAGE)} list pages `
          + `= ${count(floor)} calls (${fixed(floor / jobs, 3)}/job).`,
      ],
      tables: [{
        header: [
          'drainer', 'done', 'lists', 'of which detections', 'started', 'outcomes', 'other',
          'total', 'calls/job', 'vs floor', 'drain ms', 'jobs/s',
        ],
        rows: [row(product), row(relisting), row(baseline)],
      }],
      notes: [
        `Re-listing after every job costs ${count(relisting.counts.lists)} list calls `
          + `(${fixed(relisting.counts.lists / relisting.counts.total * 100, 1)}% of its calls; `
          + `sum of ceil(k/100) for k = 1…${count(jobs)} is ${count(relistEveryJob(jobs))}); `
          + `reusing the listing (the default) costs ${count(product.counts.lists)}.`,
        split(product),
        split(relisting),
        `baseline: ${ms(baseline.wallMs)} ms (${fixed(baseline.wallMs / jobs, 2)} ms/job), `
          + 'fetch with no schema checks, no persisted claim intent, no state machine.',
      ],
      goals: [{
        goal: 'requests per job in a drain within 10% of the floor',
        figure: `${fixed(product.counts.total / jobs, 3)}/job vs floor ${fixed(floor / jobs, 3)}`
          + ` (+${fixed(within, 1)}%)`,
        met: within <= 10,
      }],
    };
  },
};
