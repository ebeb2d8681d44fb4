/**
 * An undici dispatcher in front of a real Agent that holds every request
 * to the emulator until the test releases it, and notes what each one was
 * and in which state the orchestrator sent it. The requests themselves go
 * over loopback unchanged.
 */
import { Agent, type Dispatcher } from 'undici';
import type { Holds } from './holds.js';

export type RequestKind = 'read' | 'started' | 'outcome' | 'other';

export interface Intercepted {
  method: string;
  path: string;
  kind: RequestKind;
  jobId: string | undefined;
  /** The orchestrator's state when the request left. */
  state: string;
  /** The job it held then. */
  heldJobId: string | null;
}

export interface GateOptions {
  holds: Holds;
  /** The orchestrator's state now, and the hold tag for it. */
  where: () => { state: string; tag: string; heldJobId: string | null };
  /** Told of every request as it is dispatched, before it is held. */
  seen: (request: Intercepted) => void;
  /** Runs just before a held request goes out: the world's last chance to change. */
  beforeSend: (request: Intercepted) => void;
}

function classify(opts: Dispatcher.DispatchOptions): Pick<Intercepted, 'kind' | 'jobId'> {
  if (opts.method === 'GET') return { kind: 'read', jobId: undefined };
  if (opts.method === 'POST' && opts.path.startsWith('/v3/export-job-events')) {
    const body: unknown = typeof opts.body === 'string' ? JSON.parse(opts.body) : undefined;
    const { event, jobId } = (body ?? {}) as { event?: string; jobId?: string };
    return { kind: event === 'started' ? 'started' : 'outcome', jobId };
  }
  return { kind: 'other', jobId: undefined };
}

export function gatedAgent(options: GateOptions) {
  const agent = new Agent({ connections: 4 });
  const dispatcher = agent.compose((dispatch) => (opts, handler) => {
    const { state, tag, heldJobId } = options.where();
    const request: Intercepted = {
      method: opts.method,
      path: opts.path,
      ...classify(opts),
      state,
      heldJobId,
    };
    options.seen(request);
    const send = () => dispatch(opts, handler);
    options.holds.add({
      tag,
      kind: `http:${request.kind}`,
      release: () => {
        options.beforeSend(request);
        send();
      },
      // After the agent is destroyed, dispatching fails the request at once.
      discard: () => {
        try {
          send();
        } catch {
          // The request is abandoned with its path; nothing waits on it.
        }
      },
    });
    return true;
  });
  return { dispatcher, destroy: () => agent.destroy() };
}
