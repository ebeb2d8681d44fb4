/**
 * Generates the test paths from the production machine with `xstate/graph`:
 * the shortest path to every state, then simple paths chosen until every
 * transition (source state, move, target state) is taken, then, for the
 * few that no simple path takes (self-loops such as a refused `finish()`),
 * the shortest path to the source plus that one move.
 *
 * The traversal keys states on their value and the few context facts that
 * change what can happen next; counters and timestamps would make every
 * snapshot distinct and the graph endless.
 */
import type { AnyStateMachine, EventObject } from 'xstate';
import {
  getAdjacencyMap,
  getShortestPaths,
  getSimplePaths,
  type AdjacencyMap,
} from 'xstate/graph';
import { exportJobMachine } from '../../machines/export-job.machine.js';
import type { MachineEvent } from '../../machines/types.js';
import { MODEL_CONFIGS, type ModelConfig } from './configs.js';
import { replay, transitionId, type ModelPath } from './model-path.js';
import { movesIn, statePath, type ModelEvent, type ModelSnapshot, type Move } from './moves.js';

/** Value plus what decides the next moves: held job, pending re-detection, stop, unknown claims. */
export function serializeState(snapshot: ModelSnapshot): string {
  const { heldJob, redetect, stopRequested, unknownClaimIds } = snapshot.context;
  return JSON.stringify([
    snapshot.status,
    snapshot.value,
    heldJob !== null,
    heldJob?.outcome !== undefined,
    redetect,
    stopRequested,
    unknownClaimIds.length > 0,
  ]);
}

/** Coarser, for simple paths: their number grows exponentially with the vertices. */
function serializeCoarsely(snapshot: ModelSnapshot): string {
  const { heldJob, stopRequested, unknownClaimIds } = snapshot.context;
  // Whether the held job's outcome is known decides where `claimed` leads, so
  // it stays in even the coarse key: merging the two would make paths whose
  // moves do not replay.
  return JSON.stringify([
    snapshot.status,
    snapshot.value,
    heldJob !== null,
    heldJob?.outcome !== undefined,
    stopRequested,
    unknownClaimIds.length > 0,
  ]);
}

const moveOf = (event: MachineEvent | EventObject): string => (event as ModelEvent).move;

function traversal(config: ModelConfig) {
  return {
    input: config.input,
    events: (snapshot: ModelSnapshot) => movesIn(snapshot),
    serializeState: (snapshot: ModelSnapshot) => serializeState(snapshot),
    serializeEvent: moveOf,
  };
}

type GraphPath = { steps: Array<{ state: ModelSnapshot; event: MachineEvent }> };

/** The same for a graph path, whose snapshots stand in for their serialized state. */
function graphTransitions(path: GraphPath): string[] {
  return path.steps.slice(1).map((step, i) =>
    transitionId(path.steps[i]!.state, step.event as ModelEvent, step.state));
}

const graphMoves = (path: GraphPath): Move[] =>
  path.steps.slice(1).map(({ event }) => (event as ModelEvent).move);

const machine = exportJobMachine as AnyStateMachine;

export function generatePaths(config: ModelConfig): ModelPath[] {
  // The machine's guards read the wall clock (detection gap, listing age).
  // Traversal and replay must see the same instant, however long they take.
  const realNow = Date.now;
  const frozen = realNow();
  Date.now = () => frozen;
  try {
    return generateAtOneInstant(config);
  } finally {
    Date.now = realNow;
  }
}

function generateAtOneInstant(config: ModelConfig): ModelPath[] {
  const options = traversal(config);
  const shortest = getShortestPaths(machine, options) as GraphPath[];
  const lastState = (p: GraphPath) => p.steps.at(-1)!.state;

  // One shortest path per state of the machine (not per context variant).
  const byState = new Map<string, GraphPath>();
  for (const path of shortest) {
    const last = lastState(path);
    const key = `${statePath(last.value)}:${last.status}`;
    const known = byState.get(key);
    if (!known || known.steps.length > path.steps.length) byState.set(key, path);
  }
  const chosen: Array<{ moves: Move[]; origin: ModelPath['origin'] }> = [];
  const covered = new Set<string>();
  const choose = (path: GraphPath, origin: ModelPath['origin']) => {
    chosen.push({ moves: graphMoves(path), origin });
    for (const t of graphTransitions(path)) covered.add(t);
  };
  for (const path of byState.values()) choose(path, 'shortest');

  // Greedy cover with simple paths: each pick takes the most transitions not yet taken.
  const simple = (getSimplePaths(machine, {
    ...options,
    serializeState: (snapshot: ModelSnapshot) => serializeCoarsely(snapshot),
    // Triggers in busy states only coalesce; the edge paths below take them.
    filterEvents: (snapshot: ModelSnapshot, event: MachineEvent) =>
      event.type !== 'TRIGGER' || statePath(snapshot.value) === 'idle',
  }) as GraphPath[]).map((path) => ({ path, transitions: graphTransitions(path) }));
  for (;;) {
    let best: { path: GraphPath; gain: number } | undefined;
    for (const { path, transitions } of simple) {
      const gain = new Set(transitions.filter((t) => !covered.has(t))).size;
      if (gain > 0 && (!best || gain > best.gain
        || (gain === best.gain && path.steps.length < best.path.steps.length))) {
        best = { path, gain };
      }
    }
    if (!best) break;
    choose(best.path, 'simple');
  }

  // What remains (self-loops, finer context): the shortest path to the source, then the move.
  const shortestTo = new Map(shortest.map((p) => [options.serializeState(lastState(p)), p]));
  const adjacency = getAdjacencyMap(machine, options) as AdjacencyMap<ModelSnapshot, MachineEvent>;
  for (const [source, { state, transitions }] of Object.entries(adjacency)) {
    const edges: Array<{ event: MachineEvent; state: ModelSnapshot }> = Object.values(transitions);
    for (const { event, state: target } of edges) {
      const move = event as ModelEvent;
      const id = transitionId(state, move, target);
      if (covered.has(id)) continue;
      const prefix = shortestTo.get(source);
      if (!prefix) throw new Error(`No path reaches the source of ${id}.`);
      chosen.push({ moves: [...graphMoves(prefix), move.move], origin: 'edge' });
      covered.add(id);
    }
  }
  return withoutPrefixes(chosen).map(({ moves, origin }) => replay(config, moves, origin));
}

/** A path whose moves begin another chosen path adds nothing; drop it. */
function withoutPrefixes<T extends { moves: Move[] }>(paths: T[]): T[] {
  const sorted = [...paths].sort((a, b) => b.moves.length - a.moves.length);
  const kept: T[] = [];
  for (const path of sorted) {
    const isPrefix = kept.some((other) => path.moves.every((move, i) => other.moves[i] === move));
    if (!isPrefix) kept.push(path);
  }
  return kept;
}

/** Every generated path of every configuration. */
export function generateAllPaths(): ModelPath[] {
  return MODEL_CONFIGS.flatMap((config) => generatePaths(config));
}
