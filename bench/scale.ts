/**
 * How many companies one process serves: idle orchestrators for 1 to
 * 10,000 companies, each size in its own child process, with one
 * organisation token or a company-bound token per company.
 */
import { runChild } from './lib/child.js';
import type { BenchContext, Benchmark, Section } from './lib/report.js';
import { startBenchEmulator } from './lib/rig.js';
import {
  companyIds, ELD_RESOLUTION_MS, tokenOf,
  type MemorySample, type ScaleBase, type ScaleMode, type ScaleSample, type TicksSample,
} from './lib/scale-shared.js';
import { count, fixed, ms } from './lib/stats.js';

const KB = 1_024;

/**
 * `monitorEventLoopDelay` records the whole interval between its samples, so
 * an idle loop shows the sampling interval itself; the delay is what exceeds it.
 */
const excess = (intervalMs: number) => Math.max(0, intervalMs - ELD_RESOLUTION_MS);

async function sample(mode: ScaleMode, size: number, windowMs: number): Promise<ScaleSample> {
  // The emulator lives in this process, so the child's heap and event loop
  // hold only the orchestrator.
  const tokens = mode === 'tokens'
    ? companyIds(size).map((id) => ({ token: tokenOf(id), companyIds: [id] }))
    : [];
  const emulator = await startBenchEmulator({ tokens });
  const run = <T>(phase: 'memory' | 'ticks') => runChild<T & ScaleBase>('scale-child.ts', [
    '--companies', String(size), '--mode', mode, '--url', emulator.url,
    '--token', emulator.token, '--window-ms', String(windowMs), '--phase', phase,
  ], { timeoutMs: 180_000 });
  try {
    const memory = await run<MemorySample>('memory');
    return { ...memory, ...(await run<TicksSample>('ticks')) };
  } finally {
    await emulator.close();
  }
}

/** How `start()` grows with the number of companies, per credential mode. */
function startNotes(samples: readonly ScaleSample[]): string[] {
  return (['org', 'tokens'] as const).flatMap((mode) => {
    const mine = samples.filter((s) => s.mode === mode && s.size >= 100);
    if (mine.length < 2) return [];
    const perCompany = mine.map((s) => `${fixed(s.startMs / s.size * 1_000, 0)} µs at `
      + `${count(s.size)}`);
    return [`\`start()\` per company (${mode}): ${perCompany.join(', ')}. With the in-memory`
      + ' store it never yields to the event loop: timers and sockets wait for all of it.'];
  });
}

export const scale: Benchmark = {
  id: 'scale',
  title: 'Companies per process',
  async run(context: BenchContext): Promise<Section> {
    const sizes = context.quick ? [1, 100, 1_000] : [1, 100, 1_000, 10_000];
    const windowMs = context.quick ? 2_500 : 5_000;
    const samples: ScaleSample[] = [];
    for (const mode of ['org', 'tokens'] as const) {
      for (const size of sizes) {
        context.progress(`scale: ${count(size)} companies, ${mode} credentials`);
        samples.push(await sample(mode, size, windowMs));
      }
    }
    const rows = samples.map((s, i) => {
      const previous = i > 0 && samples[i - 1]!.mode === s.mode ? samples[i - 1] : undefined;
      const marginal = previous
        ? (s.heapBytes - previous.heapBytes) / (s.size - previous.size) / KB
        : Number.NaN;
      const perSecond = (n: number) => fixed(n / (s.windowMs / 1_000), 0);
      return [
        s.mode === 'org' ? 'organisation token' : 'token per company', count(s.size),
        ms(s.startMs), ms(s.settleMs), fixed(s.heapBytes / 2 ** 20, 1),
        // One company's delta is the orchestrator's fixed cost, not a per-company figure.
        s.size >= 100 ? fixed(s.heapBytes / s.size / KB, 1) : '–', fixed(marginal, 1),
        ms(excess(s.eldP50Ms)), ms(excess(s.eldP99Ms)), ms(excess(s.eldMaxMs)),
        perSecond(s.detections), perSecond(s.requests),
      ];
    });
    const largest = samples.filter((s) => s.size === sizes[sizes.length - 1]);
    const perCompany = Math.max(...largest.map((s) => s.heapBytes / s.size / KB));
    const eld = Math.max(...largest.map((s) => excess(s.eldP99Ms)));
    const top = count(sizes[sizes.length - 1]!);
    return {
      id: 'scale',
      title: 'Companies per process: idle memory and event-loop delay',
      method: [
        'Each row is a child process (`--expose-gc`) running one `MultiCompanyOrchestrator`',
        'with `companies`; the emulator runs in the parent. **Memory**: heap used after GC',
        'with every company idle after one detection (schedule not due), minus the heap',
        'before (after a warm-up orchestrator of one company); **marginal** is the slope',
        'from the previous size. **Ticking**: a fresh orchestrator on a one-second cron',
        `(\`* * * * * *\`); \`monitorEventLoopDelay\` (a sample every ${ELD_RESOLUTION_MS} ms)`,
        `over ${windowMs / 1_000} s, shown as the delay beyond the sampling interval (an idle`,
        'loop shows 0); detections and API calls per second in that window.',
      ],
      tables: [{
        header: [
          'credentials', 'companies', 'start ms', 'settled ms', 'heap MiB', 'KB/company',
          'marginal KB', 'ELD p50 ms', 'ELD p99 ms', 'ELD max ms', 'detections/s', 'calls/s',
        ],
        rows,
      }],
      notes: startNotes(samples),
      goals: [
        {
          goal: `${top} idle companies in one process under 10 KB each`,
          figure: `${fixed(perCompany, 1)} KB/company (worst credential mode)`,
          met: perCompany < 10,
        },
        {
          goal: 'event-loop delay p99 under 20 ms while schedules tick',
          figure: `${ms(eld)} ms at ${top} companies (worst credential mode)`,
          met: eld < 20,
        },
      ],
    };
  },
};
