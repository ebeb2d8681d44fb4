import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRandom, hashSeed } from '../../src/emulator/random.js';
import { start } from './harness.js';

describe('the seeded PRNG', () => {
  it('repeats its sequence for the same seed and differs for another', () => {
    const draw = (seed: number | string) => {
      const random = createRandom(seed);
      return Array.from({ length: 5 }, () => random.next());
    };
    expect(draw(7)).toEqual(draw(7));
    expect(draw('seven')).toEqual(draw('seven'));
    expect(draw(7)).not.toEqual(draw(8));
  });

  it('draws integers within bounds and UUIDs that zod accepts', () => {
    const random = createRandom(1);
    for (let i = 0; i < 1_000; i++) {
      const n = random.int(3, 6);
      expect(n >= 3 && n <= 6).toBe(true);
      expect(z.uuid().safeParse(random.uuid()).success).toBe(true);
    }
  });

  it('keeps streams with different labels independent', () => {
    expect(hashSeed(1, 'jobs')).not.toBe(hashSeed(1, 'faults'));
  });

  it('makes the same job ids for the same seed, in another emulator', async () => {
    const ids = async (seed: number) => {
      const emulator = await start({ seed });
      return [emulator.createJob().id, emulator.createJob().id];
    };
    expect(await ids(5)).toEqual(await ids(5));
    expect(await ids(5)).not.toEqual(await ids(6));
  });

  it('keeps job ids unchanged when faults consume randomness', async () => {
    const plain = await start({ seed: 9 });
    const faults = [{ kind: 'latency', ms: { min: 0, max: 1 } } as const];
    const faulty = await start({ seed: 9, faults });
    await fetch(`${faulty.url}/v3/export-jobs`, {
      headers: { authorization: `Bearer ${faulty.token}` },
    });
    expect(faulty.createJob().id).toBe(plain.createJob().id);
  });
});
