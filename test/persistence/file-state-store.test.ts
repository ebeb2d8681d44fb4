import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileStateStore } from '../../src/persistence/file-state-store.js';
import { emptyState } from '../../src/persistence/state-store.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'state-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileStateStore', () => {
  it('returns null when nothing was saved', async () => {
    expect(await new FileStateStore(dir).load('c1')).toBeNull();
  });

  it('round-trips a record and leaves no temporary file behind', async () => {
    const store = new FileStateStore(dir);
    const record = {
      ...emptyState(),
      heldJob: { id: 'j1', createdAt: '2026-11-30T09:00:00Z', since: 1 },
      claimIntent: { jobId: 'j2', at: 2 },
    };
    await store.save('c1', record);
    expect(await store.load('c1')).toEqual(record);
    expect(await readdir(dir)).toEqual(['c1.state.json']);
  });

  it('keeps companies apart and makes unsafe keys safe file names', async () => {
    const store = new FileStateStore(dir);
    await store.save('../evil', emptyState());
    expect(await readdir(dir)).toEqual(['.._evil.state.json']);
  });

  it('refuses a damaged file, naming it, instead of forgetting a held job', async () => {
    const store = new FileStateStore(dir);
    await writeFile(store.fileFor('c1'), '{"version":1,"heldJob":');
    await expect(store.load('c1')).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('c1.state.json'),
    });
    await writeFile(store.fileFor('c1'), '{"version":2}');
    await expect(store.load('c1')).rejects.toThrow(/not hold a valid state record/);
    expect(await readFile(store.fileFor('c1'), 'utf8')).toBe('{"version":2}');
  });
});
