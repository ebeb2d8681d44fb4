/**
 * A Mermaid `stateDiagram-v2` of a machine, read off its definition: states
 * and nested states, each transition with its event and guard, eventless
 * (`always`) and delayed (`after`) transitions, and the done and error
 * transitions of invocations named after the actor they wait for. Pure; the
 * `diagram` script writes the result to docs/machine.md.
 */
import type { AnyStateMachine, AnyTransitionDefinition } from 'xstate';

type StateNode = AnyStateMachine['root'];

/** Mermaid ids cannot hold dots; the path joined with `_` is unique. */
const idOf = (node: StateNode): string => node.path.join('_') || node.key;

/** A guard's name; `and([a, b])` and friends as `a and b`, `not a`. */
function describeGuard(guard: unknown): string {
  if (typeof guard === 'string') return guard;
  if (typeof guard === 'object' && guard !== null && 'type' in guard) return String(guard.type);
  if (typeof guard !== 'function') return 'inline guard';
  const parts: unknown = (guard as { guards?: unknown }).guards;
  if (Array.isArray(parts) && ['and', 'or'].includes(guard.name)) {
    return parts.map(describeGuard).join(` ${guard.name} `);
  }
  if (guard.name === 'not' && Array.isArray(parts)) return `not ${describeGuard(parts[0])}`;
  return guard.name || 'inline guard';
}

function guardOf(transition: AnyTransitionDefinition): string | undefined {
  return transition.guard === undefined ? undefined : describeGuard(transition.guard);
}

function actionNames(transition: AnyTransitionDefinition): string[] {
  return transition.actions.flatMap((action: unknown) => {
    if (typeof action === 'string') return [action];
    if (typeof action === 'object' && action !== null && 'type' in action) {
      return [String(action.type)];
    }
    return [];
  });
}

/** `xstate.done.actor.0.x.y` → `done: detectJobs`; timers by their delay's name. */
function eventLabel(node: StateNode, eventType: string): string {
  if (eventType === '') return 'always';
  const invoked = node.invoke.find((i) => eventType.endsWith(`.actor.${i.id}`));
  if (invoked) {
    const src = typeof invoked.src === 'string' ? invoked.src : invoked.id;
    return `${eventType.startsWith('xstate.done.') ? 'done' : 'error'}: ${src}`;
  }
  const delayed = node.after.find((t) => t.eventType === eventType);
  if (delayed) return `after ${String(delayed.delay)}`;
  return eventType;
}

function label(node: StateNode, transition: AnyTransitionDefinition): string {
  const guard = guardOf(transition);
  const parts = [eventLabel(node, transition.eventType)];
  if (guard) parts.push(`[${guard}]`);
  if (!transition.target?.length) {
    parts.push(`/ ${actionNames(transition).join(', ') || 'no change'}`);
  }
  return parts.join(' ');
}

function transitionsOf(node: StateNode): AnyTransitionDefinition[] {
  return [...node.transitions.values(), node.always ?? []].flat();
}

function edgeLines(node: StateNode, indent: string): string[] {
  return transitionsOf(node).flatMap((transition) => {
    const targets = transition.target?.length ? transition.target : [node];
    return targets.map((target) =>
      `${indent}${idOf(node)} --> ${idOf(target)} : ${label(node, transition)}`);
  });
}

function stateLines(node: StateNode, indent: string): string[] {
  const id = idOf(node);
  const children = Object.values(node.states);
  const lines = id === node.key ? [] : [`${indent}state "${node.key}" as ${id}`];
  if (children.length > 0) {
    lines.push(`${indent}state ${id} {`);
    const initial = node.initial?.target[0];
    if (initial) lines.push(`${indent}  [*] --> ${idOf(initial)}`);
    for (const child of children) lines.push(...stateLines(child, `${indent}  `));
    lines.push(`${indent}}`);
  }
  if (node.type === 'final') lines.push(`${indent}${id} --> [*]`);
  return lines;
}

function allNodes(node: StateNode): StateNode[] {
  return [node, ...Object.values(node.states).flatMap(allNodes)];
}

/**
 * The diagram's text, without the surrounding code fence.
 *
 * @example
 * const text = machineToMermaid(exportJobMachine);
 * // stateDiagram-v2
 * //   [*] --> idle
 * //   ...
 */
export function machineToMermaid(machine: AnyStateMachine): string {
  const root = machine.root;
  const lines = ['stateDiagram-v2'];
  const initial = root.initial?.target[0];
  if (initial) lines.push(`  [*] --> ${idOf(initial)}`);
  for (const child of Object.values(root.states)) lines.push(...stateLines(child, '  '));
  for (const node of allNodes(root).slice(1)) lines.push(...edgeLines(node, '  '));

  // Transitions of the machine itself apply in every state; Mermaid has no
  // edge "from anywhere", so they are listed in a note.
  const anywhere = transitionsOf(root).map((transition) => {
    const to = transition.target?.length ? transition.target.map(idOf).join(', ') : 'no change';
    return `${label(root, transition)} → ${to}`;
  });
  if (anywhere.length > 0 && initial) {
    lines.push(`  note right of ${idOf(initial)}`);
    lines.push('    In any state:');
    for (const line of anywhere) lines.push(`    ${line}`);
    lines.push('  end note');
  }
  return lines.join('\n');
}

/** The whole docs/machine.md: a title, where it comes from, and the diagram. */
export function machineMarkdown(machine: AnyStateMachine, source: string): string {
  return [
    `# The \`${machine.id}\` machine`,
    '',
    `Generated from \`${source}\` by \`npm run diagram\`; do not edit by hand.`,
    'A test fails when this file no longer matches the machine.',
    '',
    '```mermaid',
    machineToMermaid(machine),
    '```',
    '',
  ].join('\n');
}
