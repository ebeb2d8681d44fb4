/**
 * Runs a host step (a pre-check, the processor) under a time limit. A step
 * that never settles would hold its company's lane forever; past the limit
 * its signal is aborted and the step counts as failed.
 */
import { StepTimeoutError } from '../errors.js';

export async function withTimeLimit<T>(
  step: (signal: AbortSignal) => Promise<T> | T,
  limitMs: number,
  parent: AbortSignal,
  what: string,
): Promise<T> {
  if (limitMs <= 0) return step(parent);
  const controller = new AbortController();
  const forward = () => controller.abort(parent.reason);
  parent.addEventListener('abort', forward, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new StepTimeoutError(`${what} took longer than ${limitMs} ms.`, {
        timeoutMs: limitMs,
      });
      controller.abort(error);
      reject(error);
    }, limitMs);
  });
  try {
    return await Promise.race([Promise.resolve().then(() => step(controller.signal)), expired]);
  } finally {
    clearTimeout(timer);
    parent.removeEventListener('abort', forward);
  }
}
