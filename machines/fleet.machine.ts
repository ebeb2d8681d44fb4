/**
 * The fleet: one export-job lane per company under a parent, so companies
 * run in parallel while each lane keeps its own rules (one job at a time,
 * oldest first). The parent only adds, removes and routes; the lanes hold
 * all the logic. No I/O: the lane's actors are provided by the orchestrator.
 */
import { enqueueActions, setup } from 'xstate';
import { exportJobMachine } from './export-job.machine.js';
import type { MachineInput, TriggerSource } from './types.js';

/** The child id (and system id) of a company's lane. */
export const laneId = (key: string): string => `lane:${key}`;

export type FleetEvent =
  | { type: 'COMPANY.ADD'; key: string; input: MachineInput }
  | { type: 'COMPANY.REMOVE'; key: string }
  /** To one lane when `key` is given, else to every lane. */
  | { type: 'TRIGGER'; source: TriggerSource; key?: string };

export interface FleetContext {
  lanes: string[];
}

export const fleetMachine = setup({
  types: {
    context: {} as FleetContext,
    events: {} as FleetEvent,
  },
  actors: { lane: exportJobMachine },
}).createMachine({
  id: 'fleet',
  context: { lanes: [] },
  on: {
    'COMPANY.ADD': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        if (context.lanes.includes(event.key)) return;
        enqueue.spawnChild('lane', { id: laneId(event.key), input: event.input });
        enqueue.assign({ lanes: [...context.lanes, event.key] });
      }),
    },
    'COMPANY.REMOVE': {
      actions: enqueueActions(({ context, event, enqueue }) => {
        if (!context.lanes.includes(event.key)) return;
        enqueue.stopChild(laneId(event.key));
        enqueue.assign({ lanes: context.lanes.filter((key) => key !== event.key) });
      }),
    },
    TRIGGER: {
      actions: enqueueActions(({ context, event, enqueue, self }) => {
        // A lane that stopped (fatal, or removed) is no longer a child; sending
        // to it would throw in the parent and take every other lane down.
        const children = self.getSnapshot().children as Record<string, unknown>;
        const keys = event.key === undefined ? context.lanes : [event.key];
        for (const key of keys) {
          if (!children[laneId(key)]) continue;
          enqueue.sendTo(laneId(key), { type: 'TRIGGER', source: event.source });
        }
      }),
    },
  },
});
