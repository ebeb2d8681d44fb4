/**
 * `npm run soak -- [--seed N] [--minutes M] [--workers W] [--jobs J]
 * [--exclusive] [--intensity K] [--no-hangs]`: minutes of faults and crashes
 * against a fleet of real workers; prints what happened and exits 1 on any
 * lost job or any job exported or claimed twice.
 */
import { parseArgs } from 'node:util';
import { runSoak, type SoakReport } from './engine.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    minutes: { type: 'string', default: '2' },
    workers: { type: 'string', default: '4' },
    jobs: { type: 'string' },
    intensity: { type: 'string', default: '1' },
    exclusive: { type: 'boolean', default: false },
    'no-hangs': { type: 'boolean', default: false },
  },
});

const minutes = Number(values.minutes);
const seed = Number(values.seed);
const workers = Number(values.workers);
const jobs = values.jobs === undefined ? Math.round(100 * minutes) : Number(values.jobs);
const intensity = Number(values.intensity);
const command = `npm run soak -- ${process.argv.slice(2).join(' ')}`.trim();

console.log(`soak: seed ${seed}, ${minutes} min, ${workers} workers, ${jobs} jobs, `
  + `fault intensity ${intensity}${values.exclusive ? ', --exclusive' : ''}`);
const report = await runSoak({
  seed,
  durationMs: minutes * 60_000,
  workers,
  jobs,
  exclusive: values.exclusive,
  faults: { intensity, hangs: !values['no-hangs'] },
  log: (line) => console.log(`  ${new Date().toISOString().slice(11, 19)} ${line}`),
});
print(report, command);
process.exitCode = report.ok ? 0 : 1;

function print(r: SoakReport, how: string): void {
  const v = r.verdict;
  const kinds = Object.entries(r.faultsByKind).sort((a, b) => b[1] - a[1])
    .map(([kind, n]) => `${kind} ${n}`).join(', ');
  const duplicates = v.duplicateBookings.length + v.unjustifiedReruns.length
    + v.resentClaims.length + v.neverProcessed.length;
  console.log([
    '',
    `command:            ${how}`,
    `seed:               ${r.seed}`,
    `elapsed:            ${(r.elapsedMs / 1000).toFixed(1)} s`,
    `workers:            ${r.workers}`,
    `jobs:               ${v.jobs} (completed ${v.completed}, failed ${v.failed.length})`,
    `crashes (SIGKILL):  ${r.crashes}`,
    `faults injected:    ${r.faultsInjected} (${kinds}; latency on every request not counted)`,
    `started sent:       ${v.startedSent} (conflicts ${v.conflicts})`,
    `re-runs after a crash or abort: ${v.rerunsAfterInterruption}`,
    `claimed out of order: ${v.claimedOutOfOrder.length}`,
    `duplicates:         ${duplicates} (items booked twice ${v.duplicateBookings.length}, `
      + `unjustified re-runs ${v.unjustifiedReruns.length}, claims resent `
      + `${v.resentClaims.length}, completed unprocessed ${v.neverProcessed.length})`,
    `lost jobs:          ${v.lost.length}${v.lost.length ? ` ${v.lost.join(', ')}` : ''}`,
    `verdict:            ${r.ok ? 'PASS' : 'FAIL'}`,
  ].join('\n'));
  const details = {
    duplicateBookings: v.duplicateBookings,
    unjustifiedReruns: v.unjustifiedReruns,
    resentClaims: v.resentClaims,
    neverProcessed: v.neverProcessed,
  };
  if (duplicates > 0) console.log(JSON.stringify(details, null, 2));
}
