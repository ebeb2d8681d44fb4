/**
 * SIGINT and SIGTERM for the daemon, watched from its first moment: a
 * signal during start-up is remembered and acted on once start-up is done,
 * instead of killing the process halfway. A second signal exits at once.
 */
import type { Logger } from 'pino';

export interface SignalWatch {
  /** Resolves with the first signal received. */
  readonly received: Promise<NodeJS.Signals>;
  dispose(): void;
}

export function watchSignals(logger: Logger): SignalWatch {
  let count = 0;
  let resolve!: (signal: NodeJS.Signals) => void;
  const received = new Promise<NodeJS.Signals>((done) => (resolve = done));
  const onSignal = (signal: NodeJS.Signals) => {
    count += 1;
    if (count > 1) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(130);
    }
    logger.info({ signal }, 'stopping: letting the current step finish');
    resolve(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    received,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}
