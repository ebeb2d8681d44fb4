import { describe, expect, it } from 'vitest';
import { compareInstants, parseInstant } from '../../src/pleo/instant.js';
import { DEMO_COMPANIES, seedDemo } from '../../src/emulator/index.js';
import { withOffset } from '../../src/emulator/demo.js';
import { listAllJobIds, start } from './harness.js';

describe('seedDemo', () => {
  it('creates three companies of three pending jobs, and one completed job', async () => {
    const emulator = await start();
    const companyIds = seedDemo(emulator);
    const jobs = emulator.jobs();

    expect(companyIds).toEqual(DEMO_COMPANIES.map((c) => c.id));
    expect(jobs).toHaveLength(10);
    for (const id of companyIds) {
      const pending = jobs.filter((j) => j.companyId === id && j.status === 'pending');
      expect(pending).toHaveLength(3);
    }
    expect(jobs.filter((j) => j.status === 'completed')).toHaveLength(1);
    expect(jobs.every((j) => j.numberOfItems >= 2)).toBe(true);
  });

  it('writes createdAt with mixed offsets, so text order is not time order', async () => {
    const emulator = await start();
    seedDemo(emulator);
    const pending = emulator.jobs().filter((j) => j.status === 'pending');
    const offsets = new Set(pending.map((j) => /(Z|[+-]\d\d:\d\d)$/.exec(j.createdAt)?.[1]));
    expect(offsets.size).toBeGreaterThan(1);

    const byText = [...pending].sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    const byTime = [...pending].sort((a, b) =>
      compareInstants(parseInstant(a.createdAt)!, parseInstant(b.createdAt)!),
    );
    expect(byText.map((j) => j.id)).not.toEqual(byTime.map((j) => j.id));

    const served = await listAllJobIds(emulator, 'statuses=pending&sorting_order=ASC');
    expect(served).toEqual(byTime.map((j) => j.id));
  });

  it('writes an instant in an offset that parses back to the same moment', () => {
    const ms = Date.parse('2026-11-30T09:14:05.123Z');
    expect(withOffset(ms, 60)).toBe('2026-11-30T10:14:05.123+01:00');
    expect(withOffset(ms, -330)).toBe('2026-11-30T03:44:05.123-05:30');
    expect(parseInstant(withOffset(ms, -330))?.epochMs).toBe(ms);
  });
});
