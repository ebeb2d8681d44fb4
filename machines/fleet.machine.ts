/**
 * The fleet: the parent of one export-job lane per company, so companies
 * run in parallel while each lane keeps its own rules (one job at a time,
 * oldest first). Lanes are actors of the fleet's system with the fleet as
 * their parent; the fleet records which companies it serves.
 *
 * Lanes are created by the orchestrator (`createActor(lane, { parent })`)
 * rather than spawned here: a spawn copies the parent's map of children, so
 * ten thousand spawns cost ten thousand growing copies, where lanes created
 * beside the parent cost nothing per sibling. No I/O here.
 */
import { assign, setup } from 'xstate';

/** The actor id (and system id) of a company's lane. */
export const laneId = (key: string): string => `lane:${key}`;

export type FleetEvent =
  /** Lanes were started for these companies (many at once: one transition). */
  | { type: 'COMPANY.ADD'; keys: string[] }
  | { type: 'COMPANY.REMOVE'; key: string };

export interface FleetContext {
  lanes: string[];
}

export const fleetMachine = setup({
  types: {
    context: {} as FleetContext,
    events: {} as FleetEvent,
  },
}).createMachine({
  id: 'fleet',
  context: { lanes: [] },
  on: {
    'COMPANY.ADD': {
      actions: assign(({ context, event }) => {
        const known = new Set(context.lanes);
        const added = event.keys.filter((key) => !known.has(key));
        return { lanes: [...context.lanes, ...new Set(added)] };
      }),
    },
    'COMPANY.REMOVE': {
      actions: assign(({ context, event }) => ({
        lanes: context.lanes.filter((key) => key !== event.key),
      })),
    },
  },
});
