/**
 * The model's alphabet: every move the world can make, as the event the
 * machine would receive. Moves carry a `move` label that the world driver
 * (world.ts) turns into the real cause: a job created in the emulator, a
 * fault, a gate opened, a call on the orchestrator's API.
 */
import type { AnyStateMachine, SnapshotFrom, StateValue } from 'xstate';
import { exportJobMachine } from '../../machines/export-job.machine.js';
import type { JobOutcome, MachineEvent } from '../../machines/types.js';
import {
  AuthRejectedError,
  ConnectionError,
  RateLimitedError,
  RequestRejectedError,
  ServerError,
  StatusConflictError,
  TimeoutError,
} from '../../src/errors.js';
import { seedsFor, toExportJob, type JobSeed } from './world-jobs.js';

export type Move =
  | 'trigger:manual' | 'trigger:schedule' | 'trigger:webhook'
  | 'stop' | 'stop:grace-expired' | 'recover'
  | 'adopt:unknown' | 'adopt:refused' | 'finish:held' | 'finish:other'
  | 'detect:none' | 'detect:pending' | 'detect:held' | 'detect:foreign'
  | 'detect:unknown-in-progress' | 'detect:auth' | 'detect:transient'
  | 'precheck:ok' | 'precheck:fails' | 'precheck:throws' | 'precheck:crashes'
  | 'intent:ok' | 'intent:fails'
  | 'claim:ok' | 'claim:conflict' | 'claim:refused' | 'claim:timeout' | 'claim:reset'
  | 'claim:auth' | 'claim:rate-limited'
  | 'process:ok' | 'process:throws'
  | 'report:ok' | 'report:auth' | 'report:server-error'
  | 'backoff:elapsed';

/** A machine event with the move that causes it. */
export type ModelEvent = MachineEvent & { move: Move; seeds?: JobSeed[] };

export type ModelSnapshot = SnapshotFrom<typeof exportJobMachine>;

export const OTHER_JOB_ID = '7eeeeeee-0000-4000-8000-000000000007';
const FINISHED: JobOutcome = { status: 'completed' };

/** `{ claimed: 'processing' }` → `claimed.processing`. */
export function statePath(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, child]) => (child ? `${key}.${statePath(child)}` : key))
    .join(',');
}

/** The event types XState uses for a state's invocation and timer, read off the machine. */
export function internalEventTypes(machine: AnyStateMachine, path: string) {
  const node = machine.getStateNodeById(`${machine.id}.${path}`);
  const invokeId = node.invoke[0]?.id;
  return {
    done: `xstate.done.actor.${invokeId ?? '?'}`,
    error: `xstate.error.actor.${invokeId ?? '?'}`,
    after: node.after[0]?.eventType ?? `xstate.after.?.${path}`,
  };
}

function event(move: Move, body: Record<string, unknown>): ModelEvent {
  // Done, error and timer events are not in MachineEvent; the machine takes them all.
  return { ...body, move } as unknown as ModelEvent;
}

function detection(move: Move, snapshot: ModelSnapshot, type: string): ModelEvent {
  const { heldJob, unknownClaimIds } = snapshot.context;
  const seeds = seedsFor(move, heldJob?.id ?? null, unknownClaimIds);
  return event(move, { type, output: { jobs: seeds.map(toExportJob), skipped: 0 }, seeds });
}

const claimErrors = {
  'claim:conflict': () => new StatusConflictError('Pleo refused the status change (400).'),
  'claim:refused': () => new RequestRejectedError('Pleo answered 404.', { status: 404 }),
  'claim:timeout': () => new TimeoutError('Deadline passed.', { timeoutMs: 1 }),
  'claim:reset': () => new ConnectionError('Reset.', { mayHaveReachedServer: true }),
  'claim:auth': () => new AuthRejectedError('Pleo rejected the credentials (401).'),
  'claim:rate-limited': () => new RateLimitedError('Pleo rate-limited the call.'),
} as const;

/** What can happen next in each state, with the payloads the machine needs. */
export function movesIn(snapshot: ModelSnapshot): ModelEvent[] {
  if (snapshot.status !== 'active') return [];
  const path = statePath(snapshot.value);
  const { done, error, after } = internalEventTypes(exportJobMachine, path);
  const { context } = snapshot;
  const trigger = (move: Move, source: string) => event(move, { type: 'TRIGGER', source });
  const busy = [trigger('trigger:webhook', 'webhook')];
  const stop = context.stopRequested ? [] : [event('stop', { type: 'STOP' })];
  const forced = context.stopRequested
    ? [event('stop:grace-expired', { type: 'STOP', force: true })]
    : [];
  const backoff = [event('backoff:elapsed', { type: after }), ...busy, ...stop];

  switch (path) {
    case 'idle':
      return [
        trigger('trigger:manual', 'manual'),
        trigger('trigger:schedule', 'schedule'),
        trigger('trigger:webhook', 'webhook'),
        ...stop,
        ...(context.heldJob
          ? [event('adopt:refused', { type: 'ADOPT', jobId: OTHER_JOB_ID })]
          : context.unknownClaimIds.map((jobId) =>
              event('adopt:unknown', { type: 'ADOPT', jobId }))),
      ];
    case 'detecting': {
      const found: Move[] = ['detect:none', 'detect:pending', 'detect:foreign'];
      if (context.heldJob) found.push('detect:held');
      if (context.unknownClaimIds.length > 0) found.push('detect:unknown-in-progress');
      return [
        ...found.map((move) => detection(move, snapshot, done)),
        event('detect:auth', { type: error, error: new AuthRejectedError('401 on list.') }),
        event('detect:transient', { type: error, error: new ServerError('503 on list.') }),
        ...busy,
        ...stop,
      ];
    }
    case 'preChecking': {
      const failed = (reason: string) => ({ ok: false, failures: [{ name: 'world', reason }] });
      return [
        event('precheck:ok', { type: done, output: { ok: true } }),
        event('precheck:fails', { type: done, output: failed('ERP answered 503') }),
        event('precheck:throws', { type: done, output: failed('the check threw: boom') }),
        event('precheck:crashes', { type: error, error: new Error('pre-checks crashed') }),
        ...busy,
        ...stop,
      ];
    }
    case 'claiming.recordingIntent':
      return [
        event('intent:ok', { type: done }),
        event('intent:fails', { type: error, error: new Error('disk full') }),
        ...busy,
        ...stop,
        ...forced,
      ];
    case 'claiming.sending': {
      const failures = Object.entries(claimErrors)
        .filter(([move]) => move !== 'claim:timeout' || !context.stopRequested)
        .map(([move, make]) => event(move as Move, { type: error, error: make() }));
      return [event('claim:ok', { type: done }), ...failures, ...busy, ...stop, ...forced];
    }
    case 'cooldown':
    case 'conflict':
    case 'retryWait':
    case 'reportRetryWait':
      return backoff;
    case 'claimed.processing':
      return [
        event('process:ok', { type: done, output: FINISHED }),
        event('process:throws', { type: error, error: new Error('ERP down') }),
        ...busy,
        ...stop,
        ...forced,
      ];
    case 'claimed.awaitingHost': {
      const held = context.heldJob?.id ?? '';
      return [
        event('finish:held', { type: 'JOB.FINISHED', jobId: held, outcome: FINISHED }),
        event('finish:other', { type: 'JOB.FINISHED', jobId: OTHER_JOB_ID, outcome: FINISHED }),
        ...busy,
        ...stop,
      ];
    }
    case 'reporting':
      return [
        event('report:ok', { type: done }),
        event('report:auth', { type: error, error: new AuthRejectedError('401 on report.') }),
        event('report:server-error', { type: error, error: new ServerError('503 on report.') }),
        ...busy,
        ...stop,
        ...forced,
      ];
    case 'fatal':
      return [event('recover', { type: 'RECOVER' }), ...stop];
    default:
      return [];
  }
}
