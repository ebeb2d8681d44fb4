/**
 * docs/machine.md must show the machine as it is: regenerate it with
 * `npm run diagram` when the machine changes.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createMachine } from 'xstate';
import { describe, expect, it } from 'vitest';
import { exportJobMachine } from '../../machines/export-job.machine.js';
import { machineToMermaid } from '../../src/inspect/diagram.js';
import { MACHINE_DOC_PATH, exportJobMachineDoc } from '../../src/inspect/machine-doc.js';
import { declaredTransitions } from './machine-shape.js';

const committed = readFileSync(
  fileURLToPath(new URL(`../../${MACHINE_DOC_PATH}`, import.meta.url)),
  'utf8',
);

describe('the machine diagram', () => {
  it('in docs/machine.md matches what the generator makes of the current machine', () => {
    expect(committed, 'run `npm run diagram` and commit docs/machine.md').toBe(
      exportJobMachineDoc(),
    );
  });

  it('draws one edge per transition the machine declares', () => {
    const text = machineToMermaid(exportJobMachine);
    const edges = text.split('\n').filter((line) => / --> /.test(line) && !line.includes('[*]'));
    const rootTransitions = [...exportJobMachine.root.transitions.values()].flat().length;
    expect(edges).toHaveLength(declaredTransitions(exportJobMachine).length - rootTransitions);
  });

  it('names guards, timers, invocations and nested states', () => {
    const machine = createMachine({
      id: 'door',
      initial: 'closed',
      states: {
        closed: {
          on: { OPEN: { guard: 'unlocked', target: 'open' } },
          after: { autoLock: 'locked' },
        },
        open: {
          initial: 'swinging',
          states: { swinging: { invoke: { src: 'swing', onDone: '#door.closed' } } },
        },
        locked: { type: 'final' },
      },
    });
    const lines = machineToMermaid(machine).split('\n').map((line) => line.trim());
    expect(lines).toEqual(expect.arrayContaining([
      'stateDiagram-v2',
      '[*] --> closed',
      'state open {',
      '[*] --> open_swinging',
      'closed --> open : OPEN [unlocked]',
      'closed --> locked : after autoLock',
      'open_swinging --> closed : done: swing',
      'locked --> [*]',
    ]));
  });
});
