/**
 * Claim latency: from a job's creation in the emulator ("the user pressed
 * Export") to the emulator receiving its `started`, for the product woken
 * by webhooks, the product polling, and the hand-written baseline.
 */
import { startBenchEmulator, waitUntil } from './lib/rig.js';
import {
  arrivalTimes, describeArrivals, replayArrivals, type ArrivalPattern,
} from './lib/arrivals.js';
import { describeClaimer, startClaimer, type ClaimerSpec } from './lib/claimers.js';
import type { BenchContext, Benchmark, Section, Table } from './lib/report.js';
import { countRequests, startedAt } from './lib/requests.js';
import { fixed, ms, summarize, type Summary } from './lib/stats.js';

/** The first jobs of each run warm the JIT and the connections; not counted. */
const WARMUP_JOBS = 5;

interface Scenario {
  claimer: ClaimerSpec;
  arrivals: ArrivalPattern;
}

interface Measured {
  scenario: Scenario;
  /** Created → `started` received, by the emulator's clock (1 ms resolution). */
  received: Summary;
  /** Created → the claimer saw its `started` accepted (in-process clock). */
  acknowledged: Summary;
  callsPerJob: number;
  unclaimed: number;
}

function scenarios(quick: boolean): Scenario[] {
  const busy: ArrivalPattern = quick
    ? { kind: 'busy', jobs: 60 + WARMUP_JOBS, meanGapMs: 40 }
    : { kind: 'busy', jobs: 200 + WARMUP_JOBS, meanGapMs: 100 };
  const quiet: ArrivalPattern = {
    kind: 'sparse', jobs: (quick ? 8 : 50) + WARMUP_JOBS, minGapMs: 1_050, maxGapMs: 1_300,
  };
  const list: Scenario[] = [
    { claimer: { kind: 'webhook', gapMs: 1_000 }, arrivals: busy },
    { claimer: { kind: 'webhook', gapMs: 0 }, arrivals: busy },
    { claimer: { kind: 'webhook', gapMs: 0, fileStore: true }, arrivals: busy },
    { claimer: { kind: 'poll', gapMs: 1_000, everySeconds: 1 }, arrivals: busy },
    { claimer: { kind: 'baseline', everyMs: 1_000 }, arrivals: busy },
    { claimer: { kind: 'webhook', gapMs: 1_000 }, arrivals: quiet },
  ];
  if (!quick) list.splice(2, 0, { claimer: { kind: 'webhook', gapMs: 200 }, arrivals: busy });
  return list;
}

async function measure(scenario: Scenario): Promise<Measured> {
  const emulator = await startBenchEmulator();
  const claimer = await startClaimer(scenario.claimer, emulator);
  const created = new Map<string, number>();
  try {
    await replayArrivals(arrivalTimes(scenario.arrivals), () => {
      const at = performance.now();
      created.set(emulator.createJob({ numberOfItems: 1 }).id, at);
    });
    await waitUntil(() => claimer.claimedAt.size >= created.size, 5_000);
    await emulator.settled();
  } finally {
    await claimer.stop();
  }
  const received = startedAt(emulator);
  const requests = countRequests(emulator);
  const createdAtOf = new Map(emulator.jobs().map((job) => [job.id, Date.parse(job.createdAt)]));
  await emulator.close();

  const ids = [...created.keys()].slice(WARMUP_JOBS);
  const fromEmulator: number[] = [];
  const fromClaimer: number[] = [];
  for (const id of ids) {
    const createdAt = createdAtOf.get(id)!;
    const at = received.get(id);
    if (at !== undefined) fromEmulator.push(at - createdAt);
    const acked = claimer.claimedAt.get(id);
    if (acked !== undefined) fromClaimer.push(acked - created.get(id)!);
  }
  return {
    scenario,
    received: summarize(fromEmulator),
    acknowledged: summarize(fromClaimer),
    callsPerJob: requests.total / created.size,
    unclaimed: ids.length - fromEmulator.length,
  };
}

function table(results: readonly Measured[]): Table {
  return {
    header: [
      'detection', 'arrivals', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms',
      'ack p50', 'ack p99', 'calls/job',
    ],
    textColumns: 2,
    rows: results.map(({ scenario, received: r, acknowledged: a, callsPerJob, unclaimed }) => [
      describeClaimer(scenario.claimer),
      describeArrivals(scenario.arrivals),
      unclaimed > 0 ? `${r.n} (${unclaimed} unclaimed)` : String(r.n),
      ms(r.p50), ms(r.p95), ms(r.p99), ms(r.max), ms(a.p50), ms(a.p99),
      fixed(callsPerJob),
    ]),
  };
}

/** The cost and benefit of `minDetectionGapMs`, in the figures just measured. */
function tradeOff(gapped: Measured | undefined, ungapped: Measured | undefined): string[] {
  if (!gapped || !ungapped) return [];
  return [
    `Busy company, gap 1000 vs 0: p50 ${ms(gapped.received.p50)} vs `
      + `${ms(ungapped.received.p50)} ms, ${fixed(gapped.callsPerJob)} vs `
      + `${fixed(ungapped.callsPerJob)} calls/job. A trigger less than the gap after the last`
      + ' detection start (the drain detection after each report counts) waits out the gap,'
      + ' then one detection serves every job that arrived meanwhile.',
  ];
}

export const latency: Benchmark = {
  id: 'latency',
  title: 'Claim latency',
  async run(context: BenchContext): Promise<Section> {
    const results: Measured[] = [];
    for (const scenario of scenarios(context.quick)) {
      context.progress(`latency: ${describeClaimer(scenario.claimer)}, `
        + `${describeArrivals(scenario.arrivals)}`);
      results.push(await measure(scenario));
    }
    const webhook = (gapMs: number, kind: ArrivalPattern['kind']) => results.find((r) =>
      r.scenario.claimer.kind === 'webhook' && r.scenario.claimer.gapMs === gapMs
      && !r.scenario.claimer.fileStore && r.scenario.arrivals.kind === kind);
    const goal = (label: string, found: Measured | undefined) => ({
      goal: `p50 webhook claim latency < 20 ms on loopback (${label})`,
      figure: found ? `${ms(found.received.p50)} ms (n = ${found.received.n})` : 'not run',
      met: found !== undefined && found.received.p50 < 20,
    });
    return {
      id: 'latency',
      title: 'Claim latency: job created → `started` received',
      method: [
        'Each row is a fresh emulator and claimer; jobs are created in-process with',
        '`emulator.createJob()` at seeded arrival times. **p50/p95/p99/max** run from the',
        "job's `createdAt` to the arrival of its `started` in the emulator's request log",
        '(both on the emulator clock, 1 ms resolution). **ack** runs from just before',
        '`createJob()` to the claimer seeing the 200 to its `started` (`performance.now()`).',
        `The first ${WARMUP_JOBS} jobs of each row warm up and are not counted.`,
        '**calls/job** is every API call of the row (idle polls included) per job.',
        'Webhook rows: the emulator delivers signed webhooks to a node:http server using',
        "`createNodeWebhookHandler`, whose `onJobCreated` calls `trigger('webhook')`; no",
        'poll. Emulator, receiver and claimer share one process and event loop.',
      ],
      tables: [table(results)],
      notes: tradeOff(webhook(1_000, 'busy'), webhook(0, 'busy')),
      goals: [
        goal('presses more than 1 s apart, default gap', webhook(1_000, 'sparse')),
        goal('busy company, default gap 1000 ms', webhook(1_000, 'busy')),
        goal('busy company, minDetectionGapMs 0', webhook(0, 'busy')),
      ],
    };
  },
};
