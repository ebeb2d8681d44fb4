import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../errors.js';
import { StoredStateSchema, type StateStore, type StoredState } from './state-store.js';

/**
 * A {@link StateStore} that keeps one JSON file per key in a directory.
 *
 * Each save writes a temporary file, fsyncs it, renames it over the old one
 * and fsyncs the directory, so a crash leaves either the old record or the
 * new one, never half of one.
 *
 * @example
 * const store = new FileStateStore('/var/lib/pleo-export');
 */
export class FileStateStore implements StateStore {
  readonly directory: string;

  constructor(directory: string) {
    this.directory = path.resolve(directory);
  }

  fileFor(key: string): string {
    const safe = key.replace(/[^A-Za-z0-9._-]/g, '_');
    return path.join(this.directory, `${safe}.state.json`);
  }

  async load(key: string): Promise<StoredState | null> {
    const file = this.fileFor(key);
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }

    // A damaged record is not silently replaced: it may name a job this
    // orchestrator holds, and forgetting it could export that job twice.
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new ConfigError(`State file ${file} is not valid JSON; fix or remove it.`);
    }
    const parsed = StoredStateSchema.safeParse(json);
    if (!parsed.success) {
      throw new ConfigError(
        `State file ${file} does not hold a valid state record; fix or remove it.`,
      );
    }
    return parsed.data;
  }

  async save(key: string, state: StoredState): Promise<void> {
    const created = await mkdir(this.directory, { recursive: true });
    if (created !== undefined) await syncParents(created, this.directory);
    const file = this.fileFor(key);
    const temporary = `${file}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(state, null, 2)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    await syncDirectory(this.directory);
  }
}

/**
 * A directory just made exists for good only once its parent's entry does.
 * The first save is usually a claim intent; losing the directory with it at
 * a power cut would leave a claim nobody remembers.
 */
async function syncParents(firstCreated: string, directory: string): Promise<void> {
  const top = path.dirname(firstCreated);
  for (let child = directory; child !== top && child !== path.dirname(child);) {
    child = path.dirname(child);
    await syncDirectory(child);
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
