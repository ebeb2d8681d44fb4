/**
 * A generated path: a configuration, the initial snapshot, and each move
 * with the snapshot it leads to, as the production machine computes them.
 */
import { initialTransition, transition } from 'xstate';
import { exportJobMachine } from '../../machines/export-job.machine.js';
import type { ModelConfig } from './configs.js';
import { movesIn, statePath, type ModelEvent, type ModelSnapshot, type Move } from './moves.js';

export interface ModelStep {
  event: ModelEvent;
  /** The state the event leads to. */
  state: ModelSnapshot;
}

export interface ModelPath {
  config: ModelConfig;
  origin: 'shortest' | 'simple' | 'edge';
  initial: ModelSnapshot;
  steps: ModelStep[];
}

/** A transition as the generator counts it: source state, move, target state. */
export function transitionId(from: ModelSnapshot, event: ModelEvent, to: ModelSnapshot) {
  return `${statePath(from.value)} --${event.move}--> ${statePath(to.value)}`;
}

/**
 * Builds a path from its moves by running them through the machine. Graph
 * paths keep one snapshot per serialized state, stand-ins whose counters
 * belong to other paths; the moves are what a path is.
 */
export function replay(config: ModelConfig, moves: readonly Move[], origin: ModelPath['origin']) {
  const initial = initialTransition(exportJobMachine, config.input)[0];
  let current = initial;
  const steps = moves.map((name) => {
    const event = movesIn(current).find((candidate) => candidate.move === name);
    if (!event) throw new Error(`${name} is not possible in ${statePath(current.value)}.`);
    current = transition(exportJobMachine, current, event)[0];
    return { event, state: current };
  });
  return { config, origin, initial, steps } satisfies ModelPath;
}


/** A path's name in test titles: its configuration and moves. */
export function describePath(path: ModelPath): string {
  const moves = path.steps.map((s) => s.event.move).join(' → ');
  return `[${path.config.name}] ${moves || '(initial state)'}`;
}
