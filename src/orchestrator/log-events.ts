import type { Logger } from 'pino';
import type { LifecycleEvent } from '../../machines/types.js';

/**
 * Writes one log line per lifecycle event that matters: debug for each poll
 * and "nothing to do", info for claims and finished jobs, warn for retries
 * and refused work, error for failures that need a person.
 */
export function logLifecycleEvent(logger: Logger, event: LifecycleEvent): void {
  switch (event.type) {
    case 'detect:start':
      return logger.debug({ source: event.source }, 'detecting export jobs');
    case 'detect:done':
      return logger.debug({ found: event.found, skipped: event.skipped }, 'detection done');
    case 'detect:empty':
      return logger.debug('nothing to export');
    case 'detect:failed':
      return logger.warn(
        { err: event.error, attempt: event.attempt },
        `detection failed (attempt ${event.attempt}); retrying after a backoff`,
      );
    case 'job:selected':
      return logger.debug(
        { jobId: event.jobId, createdAt: event.createdAt },
        'oldest job selected',
      );
    case 'job:resumed':
      return logger.info(
        { jobId: event.jobId, adopted: event.adopted },
        'resuming a job this orchestrator holds',
      );
    case 'job:released':
      return logger.info({ jobId: event.jobId }, 'held job is no longer in progress; released');
    case 'wait:foreign':
      return logger.info(
        { jobId: event.jobId },
        'another worker has a job in progress; waiting (exclusive)',
      );
    case 'precheck:failed':
      return logger.warn(
        { jobId: event.jobId, failures: event.failures },
        'pre-check failed; job left untouched for a later attempt',
      );
    case 'job:claimed':
      return logger.info({ jobId: event.jobId }, 'job claimed');
    case 'claim:conflict':
      return logger.info({ jobId: event.jobId }, 'another worker claimed the job first');
    case 'claim:unknown':
      return logger.warn(
        { jobId: event.jobId, err: event.error },
        'claim outcome unknown; reading the job before anything else',
      );
    case 'claim:unresolved':
      return logger.warn(
        { jobId: event.jobId },
        'claim outcome unknown and the job is in progress: adopt it if no other worker '
          + 'holds it (pleo-export adopt), or run with --sole-worker',
      );
    case 'claim:failed':
      return logger.warn({ jobId: event.jobId, err: event.error }, 'claim was not sent');
    case 'job:processing':
      return logger.info({ jobId: event.jobId }, 'processing job');
    case 'job:finished':
      return logger.info(
        { jobId: event.jobId, outcome: event.outcome, durationMs: event.durationMs },
        `job ${event.outcome.status}`,
      );
    case 'report:failed':
      return logger.error(
        { jobId: event.jobId, err: event.error, attempt: event.attempt },
        `reporting the outcome failed (attempt ${event.attempt}); retrying`,
      );
    case 'trigger:coalesced':
      return logger.debug({ source: event.source }, 'trigger coalesced into the running cycle');
    case 'fatal':
      return logger.error({ err: event.error }, 'stopped: cannot continue without help');
    case 'stopped':
      return logger.info('orchestrator stopped');
  }
}
