import type { StateValue } from 'xstate';
import type { MachineContext } from '../../machines/types.js';
import type { OrchestratorStatus } from './types.js';

/** `{ claimed: 'processing' }` → `claimed.processing`. */
export function stateName(value: StateValue): string {
  if (typeof value === 'string') return value;
  return Object.entries(value)
    .map(([key, child]) => (child === undefined ? key : `${key}.${stateName(child)}`))
    .join(',');
}

export function statusOf(
  value: StateValue,
  context: MachineContext,
  running: boolean,
): OrchestratorStatus {
  const state = stateName(value);
  return {
    companyId: context.companyId,
    state,
    running,
    heldJob: context.heldJob,
    candidateJobId: context.candidate?.id ?? null,
    unknownClaims: [...context.unknownClaimIds],
    waitingForJobId:
      (state === 'idle' || state === 'cooldown') && context.selection.kind === 'wait'
        ? context.selection.foreignJob?.id ?? null
        : null,
    lastDetectionAt:
      context.lastDetectionAt === null ? null : new Date(context.lastDetectionAt).toISOString(),
    lastFailure: context.lastFailure,
    counters: { ...context.counters },
  };
}
