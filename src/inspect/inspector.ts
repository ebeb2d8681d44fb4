/**
 * The Stately inspector, behind an explicit opt-in: nothing in the library
 * starts it. It converts the actor's inspection stream with
 * @statelyai/inspect, removes secrets, and hands the messages to a relay on
 * 127.0.0.1 that feeds the inspector page in a browser. No socket dials out
 * and no retry loop exists, so `stop()` leaves nothing running.
 */
import { createInspector as createStatelyInspector } from '@statelyai/inspect';
import type { StatelyInspectionEvent } from '@statelyai/inspect';
import type { Logger } from 'pino';
import type { InspectionEvent } from 'xstate';
import { redactForInspection } from './redact.js';
import { startRelay } from './relay.js';

export interface InspectorOptions {
  /** Port of the relay on 127.0.0.1; 0 (the default) takes a free one. */
  port?: number;
  logger: Logger;
  /** More redaction, applied to each message after the built-in one (e.g. personal data). */
  redact?: (value: unknown) => unknown;
  /** Secret values (a token, an API key) to cut out of any text, wherever it appears. */
  secrets?: readonly string[];
  /** The viewer the page embeds. Default: Stately's hosted inspector. */
  viewerUrl?: string;
}

export interface RunningInspector {
  /** Pass as `createActor(machine, { inspect })`; does nothing once stopped. */
  inspect: (event: InspectionEvent) => void;
  /** The page to open in a browser; it holds the relay's key. */
  url: string;
  /** Closes the relay and every connection; idempotent. */
  stop(): Promise<void>;
}

export const DEFAULT_VIEWER_URL = 'https://stately.ai/inspect';
const MACHINE_DEFINITIONS_KEPT = 100;

/**
 * Starts the relay and returns the inspection observer to give the actor.
 *
 * @example
 * const inspector = await startInspector({ logger });
 * const actor = createActor(machine, { inspect: inspector.inspect });
 * logger.info({ url: inspector.url }, 'open the inspector');
 * // later
 * await inspector.stop();
 */
export async function startInspector(options: InspectorOptions): Promise<RunningInspector> {
  const secrets = options.secrets ?? [];
  const relay = await startRelay({
    port: options.port ?? 0,
    viewerUrl: options.viewerUrl ?? DEFAULT_VIEWER_URL,
  });
  let stopped = false;
  let definitions = 0;

  const clean = (value: unknown) => {
    const safe = redactForInspection(value, secrets);
    // The host's hook runs on a safe copy; the built-in pass runs again after it.
    return options.redact ? redactForInspection(options.redact(safe), secrets) : safe;
  };
  const stately = createStatelyInspector(
    {
      send(event: StatelyInspectionEvent) {
        if (stopped) return;
        // A page that connects late needs the machines' definitions to draw them.
        const isMachine = event.type === '@xstate.actor' && /"states"/.test(event.definition ?? '');
        const keep = isMachine && definitions < MACHINE_DEFINITIONS_KEPT;
        if (keep) definitions += 1;
        relay.broadcast(JSON.stringify(clean(event)), keep);
      },
    },
    {
      autoStart: false,
      sanitizeContext: (context) => clean(context) as typeof context,
      sanitizeEvent: (event) => clean(event) as typeof event,
    },
  );

  options.logger.info({ url: relay.url }, 'inspector relay listening on 127.0.0.1');
  return {
    inspect: (event) => {
      if (!stopped) stately.inspect.next?.(event);
    },
    url: relay.url,
    async stop() {
      if (stopped) return;
      stopped = true;
      await relay.close();
      options.logger.info('inspector relay closed');
    },
  };
}
