/**
 * The states and transitions a machine declares, read off its definition,
 * and the ones a sequence of events actually takes. The coverage check
 * compares the two, so a state or transition added to the machine without a
 * generated path that exercises it fails the suite.
 */
import {
  createActor,
  fromPromise,
  type AnyStateMachine,
  type AnyTransitionDefinition,
  type EventObject,
  type StateValue,
} from 'xstate';
import { getStateNodes } from 'xstate/graph';

export interface DeclaredTransition {
  key: string;
  source: string;
  /** The event type, `always` for eventless transitions. */
  event: string;
  guard: string | undefined;
  targets: string[];
}

type StateNode = AnyStateMachine['root'];

export function declaredStates(machine: AnyStateMachine): string[] {
  return [machine.root, ...getStateNodes(machine.root)].map((node) => node.id);
}

export function guardName(transition: AnyTransitionDefinition): string | undefined {
  const guard: unknown = transition.guard;
  if (guard === undefined) return undefined;
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) {
    return String(guard.type);
  }
  return typeof guard === 'function' ? guard.name || '(inline)' : '(inline)';
}

/** A name that survives `.provide()`, which rebuilds every state node. */
export function transitionKey(transition: AnyTransitionDefinition): string {
  const source = transition.source as StateNode;
  const isAlways = transition.eventType === '' || !source.transitions.has(transition.eventType);
  const list = isAlways ? source.always ?? [] : source.transitions.get(transition.eventType) ?? [];
  const index = list.indexOf(transition);
  const event = isAlways ? 'always' : transition.eventType;
  const targets = (transition.target ?? []).map((t) => t.id).join(',') || '(stays)';
  return `${source.id} --${event}#${index} [${guardName(transition) ?? ''}]--> ${targets}`;
}

export function declaredTransitions(machine: AnyStateMachine): DeclaredTransition[] {
  const declared: DeclaredTransition[] = [];
  for (const node of [machine.root, ...getStateNodes(machine.root)]) {
    const lists = [...node.transitions.values(), node.always ?? []];
    for (const transition of lists.flat()) {
      declared.push({
        key: transitionKey(transition),
        source: node.id,
        event: transition.eventType || 'always',
        guard: guardName(transition),
        targets: (transition.target ?? []).map((t) => t.id),
      });
    }
  }
  return declared;
}

/** `{ claimed: 'processing' }` → the ids of every active node, ancestors included. */
export function activeStateIds(machineId: string, value: StateValue): string[] {
  if (typeof value === 'string') return [machineId, `${machineId}.${value}`];
  const ids = [machineId];
  for (const [key, child] of Object.entries(value)) {
    const prefix = `${machineId}.${key}`;
    ids.push(...(child ? activeStateIds(prefix, child) : [prefix]));
  }
  return [...new Set(ids)];
}

export interface Exercised {
  transitions: Set<string>;
  states: Set<string>;
}

/**
 * Sends `events` to the machine with actors that never settle (the events
 * stand for their results) and collects every transition taken and every
 * state entered, eventless ones included.
 */
export function exercise(
  machine: AnyStateMachine,
  input: unknown,
  events: readonly EventObject[],
  into: Exercised = { transitions: new Set(), states: new Set() },
): Exercised {
  const never = fromPromise(() => new Promise<never>(() => undefined));
  const actors = Object.fromEntries(
    Object.keys(machine.implementations.actors).map((name) => [name, never]),
  );
  const delays = Object.fromEntries(
    Object.keys(machine.implementations.delays).map((name) => [name, 2 ** 30]),
  );
  const record = (value: StateValue) => {
    for (const id of activeStateIds(machine.id, value)) into.states.add(id);
  };
  const actor = createActor(machine.provide({ actors, delays }), {
    input,
    inspect: (inspection) => {
      if (inspection.type !== '@xstate.microstep') return;
      // Microsteps include the states an eventless transition passes through.
      const { snapshot } = inspection;
      if ('value' in snapshot) record(snapshot.value as StateValue);
      for (const t of inspection._transitions) into.transitions.add(transitionKey(t));
    },
  });
  actor.subscribe({ error: () => undefined });
  actor.start();
  record(actor.getSnapshot().value);
  for (const event of events) actor.send(event);
  actor.stop();
  return into;
}
