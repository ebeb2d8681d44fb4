/**
 * The design's rules as an oracle that does not use the machine: for each
 * move, which states DESIGN.md allows next, and what must (not) have gone
 * over the wire. The model and the orchestrator run the same machine, so a
 * broken guard moves both alike; this oracle is what notices.
 */
import type { RecordedRequest } from '../../src/emulator/index.js';
import type { OrchestratorStatus } from '../../src/orchestrator/types.js';
import type { ModelConfig } from './configs.js';
import type { Intercepted } from './gated-dispatcher.js';
import type { Move } from './moves.js';
import type { HostRecord } from './world-gates.js';
import { FOREIGN, oldestEligible, type JobSeed } from './world-jobs.js';

export interface StepFacts {
  move: Move;
  config: ModelConfig;
  before: OrchestratorStatus;
  after: OrchestratorStatus;
  /** Requests that left the gate during the step, and those that reached it. */
  sent: Intercepted[];
  seen: Intercepted[];
  /** What the emulator's request log gained during the step. */
  wire: RecordedRequest[];
  /** Jobs the emulator shows `in_progress` after our own `started`. */
  heldInPleo: string[];
  /** The world this step's detection found (detection moves only). */
  seeds: JobSeed[];
  /** Jobs lost in a claim race (or refused) earlier in the path. */
  excluded: ReadonlySet<string>;
  /** Jobs reported since the last detection: a reused listing must skip them. */
  reported: ReadonlySet<string>;
  /** `stop()` was called before this step. */
  stopCalled: boolean;
  /** A detection began before this step, so the minimum gap applies. */
  detectedBefore: boolean;
  /** A trigger arrived during the cycle and still asks for one more detection. */
  triggerPending: boolean;
  /** Lifecycle events the orchestrator emitted during the step. */
  events: ReadonlyArray<{ type: string; jobId?: string }>;
  host: HostRecord;
  /** Processor calls made during the step. */
  processed: HostRecord['processed'];
  jobStatus: (jobId: string) => string | undefined;
}

/** States with their own STOP: a stop there takes effect at once. */
const STOPS_AT_ONCE = new Set([
  'idle', 'cooldown', 'detecting', 'preChecking', 'conflict', 'retryWait', 'reportRetryWait',
  'fatal', 'claimed.awaitingHost',
]);

function allowedStates(f: StepFacts): string[] {
  const { move, before, config } = f;
  const claimedState = config.processor ? 'claimed.processing' : 'claimed.awaitingHost';
  const busy = before.state !== 'idle';
  switch (move) {
    case 'trigger:manual': case 'trigger:schedule': case 'trigger:webhook':
      if (busy) return [before.state];
      return [config.minDetectionGapMs > 0 && f.detectedBefore ? 'cooldown' : 'detecting'];
    case 'stop': return STOPS_AT_ONCE.has(before.state) ? ['stopped'] : [before.state];
    case 'stop:grace-expired': return ['stopped'];
    // Recovering detects at once: triggers were refused while fatal.
    case 'recover': return ['detecting'];
    case 'adopt:unknown': return ['detecting'];
    case 'adopt:refused': case 'finish:other': return [before.state];
    case 'finish:held': return ['reporting'];
    case 'backoff:elapsed': return [before.state === 'reportRetryWait' ? 'reporting' : 'detecting'];
    case 'detect:auth': case 'claim:auth': case 'report:auth': return ['fatal'];
    case 'detect:transient': case 'claim:rate-limited': case 'intent:fails': return ['retryWait'];
    case 'precheck:ok': return ['claiming.recordingIntent'];
    // Rule 4, and triggers of the cycle are dropped so a failing check cannot spin.
    case 'precheck:fails': case 'precheck:throws': case 'precheck:crashes': return ['idle'];
    case 'intent:ok': return ['claiming.sending'];
    case 'claim:ok': return [claimedState];
    case 'claim:conflict': case 'claim:refused': return ['conflict'];
    case 'claim:timeout': case 'claim:reset': return ['detecting'];
    case 'process:ok': case 'process:throws': return ['reporting'];
    case 'report:ok': return reuseStates(f);
    case 'report:server-error': return ['reportRetryWait'];
    default: return selectionStates(f, claimedState);
  }
}

/** Rules 2, 3 and 6: what a detection's result must lead to. */
function selectionStates(f: StepFacts, claimedState: string): string[] {
  const held = f.before.heldJob;
  const ours = held && f.seeds.find((s) => s.id === held.id && s.status === 'in_progress');
  if (ours) return [held.outcome ? 'reporting' : claimedState];
  // Rule 7 for the company's only worker: an unknown claim found in progress is ours.
  const unknown = new Set(f.before.unknownClaims);
  const adopted = f.seeds.some((s) => unknown.has(s.id) && s.status === 'in_progress');
  if (f.config.soleWorker && adopted) return [claimedState];
  if (f.config.exclusive && f.seeds.some((s) => s.status === 'in_progress')) return rest(f);
  if (oldestEligible(f.seeds, f.excluded)) return ['preChecking'];
  return rest(f);
}

/** Rule 8: with nothing to do, rest, unless a trigger came meanwhile: then detect once more. */
function rest(f: StepFacts): string[] {
  if (!f.triggerPending) return ['idle'];
  return [f.config.minDetectionGapMs > 0 ? 'cooldown' : 'detecting'];
}

/** The job a drain may take next from the listing it already read, if any. */
function nextFromListing(f: StepFacts): string | undefined {
  if (f.config.listingReuseMs <= 0) return undefined;
  if (f.config.exclusive && f.seeds.some((s) => s.status === 'in_progress')) return undefined;
  const done = new Set([...f.reported, ...(f.before.heldJob ? [f.before.heldJob.id] : [])]);
  return oldestEligible(f.seeds.filter((s) => !done.has(s.id)), f.excluded);
}

/** After a report: detect again, or take the next job from a fresh listing. */
function reuseStates(f: StepFacts): string[] {
  return nextFromListing(f) ? ['preChecking', 'detecting'] : ['detecting'];
}

function stateProblems(f: StepFacts): string[] {
  const problems: string[] = [];
  const stopsNow = f.stopCalled && !f.move.startsWith('process:');
  const allowed = stopsNow ? ['stopped'] : allowedStates(f);
  if (!allowed.includes(f.after.state)) {
    problems.push(`after ${f.move} in ${f.before.state} the state is ${f.after.state}; `
      + `the design allows ${allowed.join(' or ')}`);
  }
  const selects = f.move.startsWith('detect:') || f.move === 'report:ok';
  const wanted = f.move === 'report:ok' ? nextFromListing(f) : oldestEligible(f.seeds, f.excluded);
  if (selects && f.after.state === 'preChecking' && f.after.candidateJobId !== wanted) {
    problems.push(`rule 3: selected ${f.after.candidateJobId}, the oldest eligible is ${wanted}`);
  }
  const waited = f.events.some((e) => e.type === 'wait:foreign' && e.jobId === FOREIGN.id);
  if (f.move === 'detect:foreign' && f.config.exclusive && !waited) {
    problems.push('rule 6: with exclusive, a foreign in_progress job must be waited on');
  }
  if (f.after.state === 'idle' && waited && f.after.waitingForJobId !== FOREIGN.id) {
    problems.push('rule 6: the status must name the foreign job being waited on');
  }
  if (f.move === 'claim:ok' && f.after.heldJob?.id !== f.before.candidateJobId) {
    problems.push('a successful claim must hold the claimed job');
  }
  if ((f.move === 'claim:timeout' || f.move === 'claim:reset')
    && !f.after.unknownClaims.includes(f.before.candidateJobId ?? '')) {
    problems.push('rule 7: an ambiguous claim must be remembered as unknown');
  }
  if (f.move === 'adopt:unknown' && f.after.heldJob === null) {
    problems.push('an adopted job must be held');
  }
  if (f.move.startsWith('process:')) {
    const status = f.move === 'process:ok' ? 'completed' : 'failed';
    if (f.after.heldJob?.outcome?.status !== status) {
      problems.push(`${f.move} must leave a ${status} outcome to report`);
    }
  }
  if (f.move === 'report:ok' && f.after.heldJob !== null) {
    problems.push('a reported job must no longer be held');
  }
  const failedCheck = f.move.startsWith('precheck:') && f.move !== 'precheck:ok';
  if (failedCheck && f.jobStatus(f.before.candidateJobId ?? '') !== 'pending') {
    problems.push('rule 4: a job whose pre-check failed must be left pending');
  }
  return problems;
}

function wireProblems(f: StepFacts): string[] {
  const problems: string[] = [];
  for (const r of f.seen) {
    const allowedIn = r.kind === 'started' ? 'claiming.sending'
      : r.kind === 'outcome' ? 'reporting' : r.kind === 'read' ? r.state : 'nowhere';
    if (r.state !== allowedIn) {
      problems.push(`rule 1: ${r.method} ${r.path} (${r.kind}) was sent in ${r.state}`);
    }
    if (r.kind === 'started' && r.heldJobId !== null) {
      problems.push(`rule 2: a started for ${r.jobId} was sent while ${r.heldJobId} was held`);
    }
    if (r.kind === 'started') {
      const last = f.host.preChecked.filter((p) => p.jobId === r.jobId).at(-1);
      if (last?.move !== 'precheck:ok') {
        problems.push(`rule 4: started for ${r.jobId} without a passed pre-check`);
      }
    }
    if (r.jobId === FOREIGN.id && r.kind !== 'read') {
      problems.push('rule 6: a foreign job was written to');
    }
  }
  for (const r of f.wire.filter((entry) => entry.method !== 'GET')) {
    const event = (r.body as { event?: string } | undefined)?.event;
    const writer = event === 'started' ? 'claiming.sending' : 'reporting';
    if (r.path !== '/v3/export-job-events' || f.before.state !== writer) {
      problems.push(`rule 1: the emulator got ${r.method} ${r.path} (${event}) from `
        + `${f.before.state}; only claiming.sending and reporting may write`);
    }
  }
  if (f.heldInPleo.length > 1) {
    problems.push(`rule 2: Pleo shows ${f.heldInPleo.length} jobs in progress that we started`);
  }
  const started = f.sent.filter((r) => r.kind === 'started').length;
  const attempt = f.before.state === 'claiming.sending' && f.move.startsWith('claim:');
  if (started !== (attempt ? 1 : 0)) {
    problems.push(`rule 4: ${started} started sent by ${f.move} in ${f.before.state}`);
  }
  // After stop() only the running step may finish; a job whose processing
  // ends within the grace period still gets its outcome reported.
  const finishing = (state: string) =>
    state === f.before.state
    || (state === 'reporting' && f.before.state.startsWith('claimed.'));
  if (f.stopCalled && f.seen.some((r) => !finishing(r.state))) {
    problems.push('after stop() nothing new may be sent');
  }
  for (const call of f.processed) {
    if (call.jobId !== call.heldJobId || call.jobId === FOREIGN.id) {
      problems.push(`rule 2/6: processed ${call.jobId} while holding ${call.heldJobId}`);
    }
  }
  return problems;
}

/** Every way this step broke the design's rules; empty when it kept them. */
export function ruleViolations(f: StepFacts): string[] {
  return [...stateProblems(f), ...wireProblems(f)];
}
