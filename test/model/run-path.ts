/**
 * Runs one generated path against a real orchestrator wired to the
 * emulator: the world produces each move, the runner releases what the
 * state being left was waiting on, and then checks that the orchestrator
 * reached the path's state and that the design's rules held.
 */
import { setImmediate as tick } from 'node:timers/promises';
import { vi } from 'vitest';
import type { Emulator, RecordedRequest } from '../../src/emulator/index.js';
import { createExportOrchestrator } from '../../src/orchestrator/orchestrator.js';
import type { OrchestratorStatus } from '../../src/orchestrator/types.js';
import { ruleViolations } from './expectations.js';
import type { ModelPath } from './model-path.js';
import { statePath, type ModelSnapshot } from './moves.js';
import { tagOf, World } from './world.js';

/** Generous: a loaded machine may be slow; only a broken path ever waits this long. */
const SETTLE_LIMIT_MS = 5_000;
/** Timers and the clock; setImmediate stays real, the runner waits with it. */
const FAKED: Array<'setTimeout' | 'clearTimeout' | 'setInterval' | 'clearInterval' | 'Date'> = [
  'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date',
];

/** The facts compared between the model and the orchestrator after each step. */
function modelFacts(snapshot: ModelSnapshot) {
  const { context } = snapshot;
  return {
    state: statePath(snapshot.value),
    running: snapshot.status === 'active',
    heldJobId: context.heldJob?.id ?? null,
    outcome: context.heldJob?.outcome?.status ?? null,
    candidateJobId: context.candidate?.id ?? null,
    unknownClaims: [...context.unknownClaimIds].sort(),
    counters: context.counters,
  };
}

function realFacts(status: OrchestratorStatus): ReturnType<typeof modelFacts> {
  return {
    state: status.state,
    running: status.running,
    heldJobId: status.heldJob?.id ?? null,
    outcome: status.heldJob?.outcome?.status ?? null,
    candidateJobId: status.candidateJobId,
    unknownClaims: [...status.unknownClaims].sort(),
    counters: status.counters,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

export interface PathRun {
  /** Each step's rule violations, empty when the rules held. */
  violations: string[];
  steps: number;
}

/** Throws when the orchestrator leaves the path; returns the rules it broke. */
export async function runPath(
  path: ModelPath,
  emulator: Emulator,
  settleLimitMs = SETTLE_LIMIT_MS,
): Promise<PathRun> {
  vi.useFakeTimers({ toFake: FAKED });
  const world = new World(emulator, path.config);
  const orchestrator = createExportOrchestrator(world.options());
  world.bind(orchestrator);
  const violations: string[] = [];
  const excluded = new Set<string>();
  const reported = new Set<string>();
  let triggerPending = false;
  try {
    await orchestrator.start();
    const limit = settleLimitMs;
    await settle(world, path.initial, '(start)', limit);
    let source = path.initial;
    for (const [index, step] of path.steps.entries()) {
      const before = orchestrator.status();
      const marks = {
        seen: world.intercepted.length,
        sent: world.sent.length,
        processed: world.host.record.processed.length,
        events: world.events.length,
        wire: world.wire().length,
      };
      const stopCalled = world.stopCalled;
      world.perform(step.event, source);
      const where = `step ${index + 1} (${step.event.move})`;
      const leaving = tagOf(before.state, before.counters.detections);
      await settle(world, step.state, where, limit, leaving);
      const after = orchestrator.status();
      const found = ruleViolations({
        move: step.event.move,
        config: path.config,
        before,
        after,
        seen: world.intercepted.slice(marks.seen),
        wire: world.wire().slice(marks.wire),
        heldInPleo: heldInPleo(world, emulator),
        sent: world.sent.slice(marks.sent),
        seeds: step.event.seeds ?? world.lastSeeds,
        excluded,
        reported,
        stopCalled,
        detectedBefore: before.counters.detections > 0,
        triggerPending,
        events: world.events.slice(marks.events),
        host: world.host.record,
        processed: world.host.record.processed.slice(marks.processed),
        jobStatus: (jobId) => emulator.getJob(jobId)?.status,
      });
      violations.push(...found.map((problem) => `${where}: ${problem}`));
      const { move } = step.event;
      if ((move === 'claim:conflict' || move === 'claim:refused') && before.candidateJobId) {
        excluded.add(before.candidateJobId);
      }
      if (move.startsWith('detect:')) reported.clear();
      triggerPending = pendingAfter(triggerPending, move, before, after);
      if (move === 'report:ok' && before.heldJob) reported.add(before.heldJob.id);
      source = step.state;
    }
  } finally {
    await world.close();
  }
  return { violations, steps: path.steps.length };
}

/**
 * Jobs Pleo (the emulator) shows in progress after a `started` of ours that
 * it accepted. A `started` whose answer was lost is left out: rule 7 has the
 * orchestrator not assume it holds that job, and an operator adopts it.
 */
function heldInPleo(world: World, emulator: Emulator): string[] {
  const accepted = (r: RecordedRequest) => r.status !== undefined && r.status < 300;
  const ours = world.wire()
    .filter((r) => r.method === 'POST' && (r.body as { event?: string }).event === 'started')
    .filter(accepted)
    .map((r) => (r.body as { jobId: string }).jobId);
  return [...new Set(ours)].filter((id) => emulator.getJob(id)?.status === 'in_progress');
}

/**
 * Rule 8's bookkeeping: a trigger in a busy state asks for one more
 * detection; starting a detection answers it; a failed pre-check or an
 * ambiguous claim drops it (by design, so neither can spin).
 */
function pendingAfter(
  pending: boolean,
  move: string,
  before: OrchestratorStatus,
  after: OrchestratorStatus,
): boolean {
  if (after.counters.detections > before.counters.detections) return false;
  const dropped = ['precheck:fails', 'precheck:throws', 'precheck:crashes', 'claim:timeout',
    'claim:reset'];
  if (dropped.includes(move)) {
    return false;
  }
  return pending || (move.startsWith('trigger:') && before.state !== 'idle');
}

/**
 * Waits until the orchestrator shows the model's state, releasing the work
 * held in the state being left (`releaseTag`) as it goes.
 */
async function settle(
  world: World,
  expected: ModelSnapshot,
  where: string,
  limitMs: number,
  releaseTag?: string,
) {
  const wanted = modelFacts(expected);
  const giveUpAt = performance.now() + limitMs;
  for (let round = 0; ; round += 1) {
    const actual = realFacts(world.orchestrator.status());
    if (same(actual, wanted)) return;
    // The first round only lets pending callbacks run: a move may reach the
    // machine a tick later (stop() sends its forced STOP from a promise).
    if (releaseTag && round > 0) world.holds.release(releaseTag);
    world.nudge();
    if (performance.now() > giveUpAt) {
      throw new Error(`At ${where} the orchestrator is not where the model is.\n`
        + `model:        ${JSON.stringify(wanted)}\norchestrator: ${JSON.stringify(actual)}\n`
        + `held: ${JSON.stringify(world.holds.pending())}`);
    }
    await tick();
  }
}
