/**
 * The generated paths must exercise every state and every transition the
 * machine declares. The lists come from the machine definition itself, so a
 * state or transition added without a path that takes it fails here.
 */
import type { AnyStateMachine } from 'xstate';
import { getAdjacencyMap } from 'xstate/graph';
import { describe, expect, it } from 'vitest';
import { exportJobMachine } from '../../machines/export-job.machine.js';
import { MODEL_CONFIGS } from './configs.js';
import { generateAllPaths, serializeState } from './generate.js';
import { declaredStates, declaredTransitions, exercise } from './machine-shape.js';
import { movesIn, statePath, type ModelSnapshot } from './moves.js';

/**
 * Transitions no sequence of events reaches, each with the reason. A stop
 * request is only recorded where a running step must finish first (claiming,
 * processing, reporting), and every exit from those states checks it before
 * `idle` can be reached, so these two guards are defensive.
 */
const UNREACHABLE = [
  { key: 'exportJob.idle --always#0 [stopRequested]--> exportJob.stopped', state: 'idle' },
  { key: 'exportJob.cooldown --always#0 [stopRequested]--> exportJob.stopped', state: 'cooldown' },
];

const paths = generateAllPaths();
const exercised = { transitions: new Set<string>(), states: new Set<string>() };
for (const path of paths) {
  exercise(exportJobMachine, path.config.input, path.steps.map((s) => s.event), exercised);
}
const states = declaredStates(exportJobMachine);
const transitions = declaredTransitions(exportJobMachine);
const reachable = transitions.filter((t) => !UNREACHABLE.some((u) => u.key === t.key));
const taken = reachable.filter((t) => exercised.transitions.has(t.key));
console.log(
  `model coverage: ${states.filter((s) => exercised.states.has(s)).length}/${states.length} states,`
  + ` ${taken.length}/${transitions.length} transitions (${UNREACHABLE.length} unreachable)`,
);

describe('coverage of the machine by the generated paths', () => {
  it('enters every state the machine declares', () => {
    expect(states.filter((id) => !exercised.states.has(id))).toEqual([]);
  });

  it('takes every transition the machine declares, guarded and eventless ones included', () => {
    expect(reachable.filter((t) => !exercised.transitions.has(t.key)).map((t) => t.key))
      .toEqual([]);
  });

  it('lists as unreachable only transitions the machine still declares', () => {
    const keys = transitions.map((t) => t.key);
    expect(UNREACHABLE.map((u) => u.key).filter((key) => !keys.includes(key))).toEqual([]);
  });

  it('finds no reachable state that would enable a transition listed as unreachable', () => {
    const enabling: string[] = [];
    for (const config of MODEL_CONFIGS) {
      const graph = getAdjacencyMap(exportJobMachine as AnyStateMachine, {
        input: config.input,
        events: (snapshot: ModelSnapshot) => movesIn(snapshot),
        serializeState: (snapshot: ModelSnapshot) => serializeState(snapshot),
      });
      for (const { state } of Object.values(graph)) {
        const snapshot = state as ModelSnapshot;
        const where = statePath(snapshot.value);
        if (UNREACHABLE.some((u) => u.state === where) && snapshot.context.stopRequested) {
          enabling.push(`${config.name}: ${where} with a stop requested`);
        }
      }
    }
    expect(enabling).toEqual([]);
  });

  it('never takes a transition listed as unreachable', () => {
    expect(UNREACHABLE.filter((u) => exercised.transitions.has(u.key))).toEqual([]);
  });
});
