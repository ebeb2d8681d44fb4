/**
 * One measurement of the scale benchmark, alone in its process (run with
 * `--expose-gc`) so heap figures hold nothing but what is measured:
 *
 * - `--phase memory`: N idle companies after one detection each, as a heap
 *   delta over a process that already ran a one-company orchestrator;
 * - `--phase ticks`: N companies on a one-second cron, event-loop delay
 *   while their schedules tick.
 *
 * Prints one JSON line and exits without `stop()`: stopping 10,000 lanes
 * takes as long as starting them, and is not what is measured here. The
 * emulator runs in the parent process.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { createExportOrchestrator } from '../src/orchestrator/orchestrator.js';
import type { OrchestratorOptions } from '../src/orchestrator/options.js';
import { MemoryStateStore } from '../src/persistence/state-store.js';
import {
  companyIds, ELD_RESOLUTION_MS, tokenOf, type ScaleMode, type ScalePhase,
} from './lib/scale-shared.js';

const { values } = parseArgs({
  options: {
    companies: { type: 'string' },
    mode: { type: 'string' },
    url: { type: 'string' },
    token: { type: 'string' },
    'window-ms': { type: 'string' },
    phase: { type: 'string' },
  },
});
const size = Number(values.companies);
const mode = values.mode as ScaleMode;
const windowMs = Number(values['window-ms']);
const gc = globalThis.gc;
if (!gc) throw new Error('Run with --expose-gc.');

/** A cron that never fires while we measure: 00:00 on the 1st of January. */
const NEVER_DURING_RUN = '0 0 1 1 *';
const EVERY_SECOND = '* * * * * *';

function options(ids: readonly string[], schedule: string): OrchestratorOptions {
  const common = {
    apiUrl: values.url!,
    schedule,
    store: new MemoryStateStore(),
    processor: async () => ({ status: 'completed' as const }),
  };
  if (mode === 'org') {
    return { ...common, companies: [...ids], credentials: { token: values.token! } };
  }
  const companies = ids.map((id) => ({ companyId: id, credentials: { token: tokenOf(id) } }));
  return { ...common, companies };
}

async function heapAfterGc(): Promise<number> {
  // Twice with a turn between: weak references and finalizers settle.
  gc!();
  await new Promise((resolve) => setImmediate(resolve));
  gc!();
  return process.memoryUsage().heapUsed;
}

async function measureMemory(ids: readonly string[]) {
  // Warm up: code paths, schemas and caches that any first orchestrator loads.
  const warm = createExportOrchestrator(options(ids.slice(0, 1), NEVER_DURING_RUN));
  await warm.start();
  await warm.settled();
  await warm.stop(1_000);

  const config = options(ids, NEVER_DURING_RUN);
  const before = await heapAfterGc();
  const orchestrator = createExportOrchestrator({ ...config, detectOnStart: true });
  const started = performance.now();
  await orchestrator.start();
  const startMs = performance.now() - started;
  await orchestrator.settled();
  const settleMs = performance.now() - started;
  const after = await heapAfterGc();
  return { startMs, settleMs, heapBytes: after - before, rss: process.memoryUsage().rss };
}

async function measureTicks(ids: readonly string[]) {
  let detections = 0;
  let requests = 0;
  const orchestrator = createExportOrchestrator({
    ...options(ids, EVERY_SECOND),
    detectOnStart: false,
    onRequest: () => {
      requests += 1;
    },
  });
  orchestrator.subscribe((event) => {
    if (event.type === 'detect:start') detections += 1;
  });
  await orchestrator.start();
  await heapAfterGc();
  detections = 0;
  requests = 0;
  const histogram = monitorEventLoopDelay({ resolution: ELD_RESOLUTION_MS });
  histogram.enable();
  await new Promise((resolve) => setTimeout(resolve, windowMs));
  histogram.disable();
  const counted = { detections, requests };
  const heapTicking = process.memoryUsage().heapUsed;
  const toMs = (ns: number) => ns / 1e6;
  return {
    eldP50Ms: toMs(histogram.percentile(50)),
    eldP99Ms: toMs(histogram.percentile(99)),
    eldMaxMs: toMs(histogram.max),
    ...counted,
    heapTicking,
  };
}

const ids = companyIds(size);
const result = values.phase === 'memory' ? await measureMemory(ids) : await measureTicks(ids);
const sample: ScalePhase = { size, mode, windowMs, ...result };
console.log(JSON.stringify(sample));
process.exit(0);
