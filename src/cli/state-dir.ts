import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from './flags.js';

/**
 * Checks at start that the state directory takes a write: a daemon that can
 * record neither a claim intent nor a hold must not start claiming.
 */
export async function probeStateDir(directory: string, timeoutMs = 5_000): Promise<void> {
  const probe = path.join(directory, `.probe-${process.pid}`);
  const attempt = (async () => {
    await mkdir(directory, { recursive: true });
    await writeFile(probe, 'ok');
    await rm(probe, { force: true });
  })();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    timer.unref();
  });
  try {
    await Promise.race([attempt, late]);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    const flag = '--state-dir (PLEO_STATE_DIR)';
    throw new UsageError(`${flag}: cannot write to '${directory}' (${reason}).`);
  } finally {
    clearTimeout(timer);
  }
}
