/**
 * Trigger storms (rule 8): a thousand webhooks and a thousand "check now"
 * presses within one second cost how many detections? And the storm a real
 * burst makes: many jobs created within one second, each announced by a
 * signed webhook from the emulator.
 */
import { createExportOrchestrator } from '../src/orchestrator/orchestrator.js';
import type { BenchContext, Benchmark, Section, Table } from './lib/report.js';
import { countRequests } from './lib/requests.js';
import { productOptions, startBenchEmulator, startWebhookReceiver } from './lib/rig.js';
import { postDelivery, signedDelivery } from './lib/signed-webhooks.js';
import { count, fixed, ms, percentile } from './lib/stats.js';

const STORM_MS = 1_000;

interface StormSpec {
  webhooks: number;
  manual: number;
  gapMs: number;
  /** Real jobs created across the storm, each delivered as a webhook by the emulator. */
  jobs?: number;
}

interface StormResult {
  spec: StormSpec;
  detections: number;
  lists: number;
  calls: number;
  claims: number;
  /** First to last trigger as the orchestrator received them. */
  spanMs: number;
  answerP99: number;
  refused: number;
  quietAfterMs: number;
}

type Fire = () => Promise<{ status: number; ms: number }>;
const sleep = (msToWait: number) => new Promise((resolve) => setTimeout(resolve, msToWait));

async function runStorm(spec: StormSpec): Promise<StormResult> {
  const emulator = await startBenchEmulator();
  const orchestrator = createExportOrchestrator(productOptions(emulator, {
    minDetectionGapMs: spec.gapMs,
  }));
  let detections = 0;
  orchestrator.subscribe((event) => {
    if (event.type === 'detect:start') detections += 1;
  });
  await orchestrator.start();
  const span = { first: Infinity, last: 0 };
  const trigger = (source: 'webhook' | 'manual') => {
    span.first = Math.min(span.first, performance.now());
    span.last = performance.now();
    return orchestrator.trigger(source);
  };
  const receiver = await startWebhookReceiver(() => trigger('webhook'));
  if (spec.jobs) emulator.subscribe(receiver.url, { secret: receiver.secret });

  // Warm the receiver, the connections and the lane, then let the gap pass,
  // so the storm meets an idle lane as it would in production.
  await Promise.all(Array.from({ length: 20 }, (_, i) =>
    postDelivery(receiver.url, signedDelivery(receiver.secret, `msg_warm_${i}`))));
  await orchestrator.settled();
  await sleep(spec.gapMs + 50);
  await orchestrator.settled();
  emulator.clearRequests();
  detections = 0;
  Object.assign(span, { first: Infinity, last: 0 });
  const claimsBefore = orchestrator.status().counters.claims;

  // Signed before the clock starts, so the storm is as dense as asked.
  const fires: Fire[] = [
    ...Array.from({ length: spec.webhooks }, (_, i) => {
      const delivery = signedDelivery(receiver.secret, `msg_storm_${i}`);
      return () => postDelivery(receiver.url, delivery);
    }),
    ...Array.from({ length: spec.manual }, () => async () => {
      trigger('manual');
      return { status: 202, ms: Number.NaN };
    }),
    ...Array.from({ length: spec.jobs ?? 0 }, () => async () => {
      emulator.createJob({ numberOfItems: 1 });
      return { status: 202, ms: Number.NaN };
    }),
  ];
  // Evenly over the second, the kinds interleaved by a fixed permutation.
  const step = STORM_MS / fires.length;
  const plan = fires.map((fire, i) => ({ fire, at: ((i * 7_919) % fires.length) * step }))
    .sort((a, b) => a.at - b.at);
  const answers: Array<ReturnType<Fire>> = [];
  const start = performance.now();
  for (const { fire, at } of plan) {
    const wait = start + at - performance.now();
    if (wait > 1) await sleep(wait);
    answers.push(fire());
  }
  const settled = await Promise.all(answers);
  await emulator.settled();
  // A trigger held back by the gap fires once the gap ends: wait it out.
  await orchestrator.settled();
  await sleep(spec.gapMs + 100);
  await orchestrator.settled();

  const requests = countRequests(emulator);
  const result: StormResult = {
    spec,
    detections,
    lists: requests.lists,
    calls: requests.total,
    claims: orchestrator.status().counters.claims - claimsBefore,
    spanMs: span.last - span.first,
    answerP99: percentile(settled.map((a) => a.ms).filter((v) => !Number.isNaN(v)), 99),
    refused: settled.filter((a) => a.status !== 202 && a.status !== 200).length,
    quietAfterMs: performance.now() - start,
  };
  await orchestrator.stop(1_000);
  await receiver.close();
  await emulator.close();
  return result;
}

function describe(spec: StormSpec): string {
  const parts = [];
  if (spec.jobs) parts.push(`${count(spec.jobs)} jobs created (emulator webhooks)`);
  if (spec.webhooks) parts.push(`${count(spec.webhooks)} webhooks`);
  if (spec.manual) parts.push(`${count(spec.manual)} manual`);
  return parts.join(' + ');
}

function specs(quick: boolean): StormSpec[] {
  const jobs = quick ? 200 : 1_000;
  const list: StormSpec[] = [];
  for (const gapMs of [1_000, 0]) {
    list.push({ webhooks: 1_000, manual: 0, gapMs }, { webhooks: 0, manual: 1_000, gapMs });
    list.push({ webhooks: 1_000, manual: 1_000, gapMs });
    list.push({ webhooks: 0, manual: 0, gapMs, jobs });
  }
  return quick ? list.filter((s) => s.gapMs > 0 || s.webhooks + s.manual === 2_000) : list;
}

function table(results: readonly StormResult[]): Table {
  return {
    header: [
      'storm within 1 s', 'gap ms', 'span ms', 'detections', 'list calls', 'all calls',
      'jobs claimed', 'calls/job', 'webhook answer p99 ms', 'refused', 'quiet after ms',
    ],
    rows: results.map((r) => [
      describe(r.spec), String(r.spec.gapMs), ms(r.spanMs), count(r.detections),
      count(r.lists), count(r.calls), count(r.claims),
      r.claims > 0 ? fixed(r.calls / r.claims) : '–',
      ms(r.answerP99), count(r.refused), ms(r.quietAfterMs),
    ]),
  };
}

export const storm: Benchmark = {
  id: 'storm',
  title: 'Trigger storms',
  async run(context: BenchContext): Promise<Section> {
    const results: StormResult[] = [];
    for (const spec of specs(context.quick)) {
      context.progress(`storm: ${describe(spec)}, gap ${spec.gapMs} ms`);
      results.push(await runStorm(spec));
    }
    const pure = results.filter((r) => !r.spec.jobs && r.spec.gapMs === 1_000);
    const worst = Math.max(...pure.map((r) => r.detections));
    return {
      id: 'storm',
      title: 'Trigger storms: triggers within one second → detections',
      method: [
        'The lane is idle (warmed up, then left alone for the gap) and no job is pending.',
        'Signed webhooks (distinct webhook-ids) are POSTed to the daemon-style receiver and',
        "`trigger('manual')` is called, evenly interleaved over 1 s; **span** is first to",
        'last trigger as the orchestrator received them. **detections** counts',
        '`detect:start` until the lane rests after the gap; calls are counted by the',
        'emulator. The "jobs created" rows create real jobs instead, one webhook each from',
        'the emulator, which the product claims and reports as they come.',
      ],
      tables: [table(results)],
      notes: [],
      goals: [{
        goal: 'a storm costs at most two detections (default gap)',
        figure: `${worst} detections at most (${pure.map((r) => r.detections).join(', ')})`,
        met: worst <= 2,
      }],
    };
  },
};
