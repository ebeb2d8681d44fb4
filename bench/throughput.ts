/**
 * The emulator's own capacity, so the other figures are known not to be
 * bound by it: closed loops of GETs from an undici pool in the same process
 * (as the other benchmarks run it), at a few concurrencies. Each loop stops
 * after a fixed time or a fixed number of requests, whichever comes first.
 */
import { Pool } from 'undici';
import type { Emulator } from '../src/emulator/index.js';
import type { BenchContext, Benchmark, Section, Table } from './lib/report.js';
import { startBenchEmulator } from './lib/rig.js';
import { count, ms, percentile } from './lib/stats.js';

const MAX_REQUESTS = 200_000;
const OTHER_COMPANY = 'company-without-jobs';

interface Probe {
  name: string;
  path: (emulator: Emulator, jobId: string) => string;
}

const PROBES: readonly Probe[] = [
  { name: 'GET one job', path: (_, jobId) => `/v3/export-jobs/${jobId}` },
  {
    name: 'GET list, first page of 100 (1,000 pending)',
    path: () => '/v3/export-jobs?statuses=pending&statuses=in_progress&limit=100'
      + '&sorting_keys=createdAt&sorting_order=ASC',
  },
  {
    name: 'GET list, a company with no jobs',
    path: () => `/v3/export-jobs?company_id=${OTHER_COMPANY}&statuses=pending`
      + '&statuses=in_progress&limit=100',
  },
];

interface Measured {
  probe: string;
  concurrency: number;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
}

async function hammer(
  emulator: Emulator,
  path: string,
  concurrency: number,
  durationMs: number,
): Promise<Omit<Measured, 'probe'>> {
  const pool = new Pool(emulator.url, { connections: concurrency });
  const headers = { authorization: `Bearer ${emulator.token}` };
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  const worker = async () => {
    while (performance.now() < deadline && latencies.length < MAX_REQUESTS) {
      const sent = performance.now();
      const answer = await pool.request({ method: 'GET', path, headers });
      await answer.body.dump();
      if (answer.statusCode !== 200) throw new Error(`${path} answered ${answer.statusCode}`);
      latencies.push(performance.now() - sent);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = performance.now() - started;
  await pool.close();
  return {
    concurrency,
    requests: latencies.length,
    perSecond: latencies.length / (elapsed / 1_000),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

function table(results: readonly Measured[]): Table {
  return {
    header: ['request', 'concurrency', 'requests', 'req/s', 'p50 ms', 'p99 ms'],
    rows: results.map((r) => [
      r.probe, String(r.concurrency), count(r.requests), count(r.perSecond), ms(r.p50), ms(r.p99),
    ]),
  };
}

export const throughput: Benchmark = {
  id: 'throughput',
  title: 'Emulator throughput',
  async run(context: BenchContext): Promise<Section> {
    const durationMs = context.quick ? 400 : 1_500;
    const concurrencies = context.quick ? [1, 8] : [1, 8, 32];
    const emulator = await startBenchEmulator();
    const jobs = Array.from({ length: 1_000 }, () => emulator.createJob({ numberOfItems: 1 }));
    const results: Measured[] = [];
    try {
      for (const probe of PROBES) {
        const path = probe.path(emulator, jobs[0]!.id);
        await hammer(emulator, path, 4, 100); // warm the route and the JIT
        for (const concurrency of concurrencies) {
          context.progress(`throughput: ${probe.name}, concurrency ${concurrency}`);
          const measured = await hammer(emulator, path, concurrency, durationMs);
          results.push({ probe: probe.name, ...measured });
          emulator.clearRequests();
        }
      }
    } finally {
      await emulator.close();
    }
    return {
      id: 'throughput',
      title: 'Emulator throughput (is the emulator the bottleneck?)',
      method: [
        `Closed loops of GETs for ${durationMs / 1_000} s (at most ${count(MAX_REQUESTS)}`,
        'requests) from an undici `Pool` with one connection per concurrent loop, client',
        'and emulator in one process as in the other benchmarks. 1,000 pending jobs exist.',
      ],
      tables: [table(results)],
      notes: [],
    };
  },
};
