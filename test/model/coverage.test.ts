/**
 * The generated paths must exercise every state and every transition the
 * machine declares. The lists come from the machine definition itself, so a
 * state or transition added without a path that takes it fails here.
 */
import { describe, expect, it } from 'vitest';
import { exportJobMachine } from '../../machines/export-job.machine.js';
import { generateAllPaths } from './generate.js';
import { declaredStates, declaredTransitions, exercise } from './machine-shape.js';

const paths = generateAllPaths();
const exercised = { transitions: new Set<string>(), states: new Set<string>() };
for (const path of paths) {
  exercise(exportJobMachine, path.config.input, path.steps.map((s) => s.event), exercised);
}
const states = declaredStates(exportJobMachine);
const transitions = declaredTransitions(exportJobMachine);
const taken = transitions.filter((t) => exercised.transitions.has(t.key));
console.log(
  `model coverage: ${states.filter((s) => exercised.states.has(s)).length}/${states.length} states,`
  + ` ${taken.length}/${transitions.length} transitions`,
);

describe('coverage of the machine by the generated paths', () => {
  it('enters every state the machine declares', () => {
    expect(states.filter((id) => !exercised.states.has(id))).toEqual([]);
  });

  it('takes every transition the machine declares, guarded and eventless ones included', () => {
    expect(transitions.filter((t) => !exercised.transitions.has(t.key)).map((t) => t.key))
      .toEqual([]);
  });
});
