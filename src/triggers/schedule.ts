/**
 * The fallback poll: a node-cron task that sends a `schedule` trigger. The
 * trigger itself is instantaneous (the machine coalesces it into a running
 * cycle), so a slow detection can never make two polls overlap.
 */
import { createTask, validate } from 'node-cron';
import { ConfigError } from '../errors.js';

export interface Schedule {
  stop(): void;
  /** The next time the poll fires, if known. */
  nextRun(): Date | null;
}

export const DEFAULT_POLL_CRON = '*/5 * * * *';

/**
 * Starts a poll on a cron expression (5 fields, or 6 with seconds).
 *
 * @example
 * const poll = startSchedule('*\/5 * * * *', () => orchestrator.trigger('schedule'));
 * poll.stop();
 */
export function startSchedule(
  expression: string,
  onTick: () => void,
  options: { maxRandomDelayMs?: number; name?: string } = {},
): Schedule {
  if (!validate(expression)) {
    throw new ConfigError(`Poll schedule '${expression}' is not a valid cron expression.`);
  }
  const task = createTask(expression, () => onTick(), {
    noOverlap: true,
    ...(options.name ? { name: options.name } : {}),
    ...(options.maxRandomDelayMs ? { maxRandomDelay: options.maxRandomDelayMs } : {}),
  });
  void task.start();
  return {
    stop: () => void task.destroy(),
    nextRun: () => task.getNextRun(),
  };
}
