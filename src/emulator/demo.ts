/**
 * Demo data for a developer's first run: three companies, each with a few
 * pending jobs of a few items, created at varied times written with mixed
 * UTC offsets, plus one completed job that a correct orchestrator ignores.
 */
import type { Emulator } from './emulator-api.js';

/** The demo companies' ids, stable across runs. */
export const DEMO_COMPANIES = [
  { name: 'Nordlys ApS', id: '6f1c2a7e-3b0d-4e55-9a1f-2d8c4b7e9a10' },
  { name: 'Fjord Consulting', id: '2b8e6d4c-1a3f-4b5d-8e7f-9a0b1c2d3e4f' },
  { name: 'Lagom Design AB', id: '9c0d1e2f-3a4b-4c5d-9e6f-7a8b9c0d1e2f' },
] as const;

/** Minutes ago each demo job was created, and the offset its time is written in. */
const PENDING_JOBS = [
  { minutesAgo: 42, offsetMinutes: 60, items: 4 },
  { minutesAgo: 17, offsetMinutes: 0, items: 2 },
  { minutesAgo: 5, offsetMinutes: -300, items: 3 },
] as const;

/** The demo job's lifetime: long enough to play with for a working day. */
const DEMO_EXPIRES_IN = 8 * 60 * 60;

/**
 * Fills the emulator with the demo data (10 jobs, 9 of them pending) and
 * returns the demo companies' ids; `emulator.jobs()` lists the jobs.
 *
 * @example
 * const emulator = await startEmulator();
 * const companyIds = seedDemo(emulator);
 * emulator.createJob({ companyId: companyIds[0] });
 */
export function seedDemo(emulator: Emulator): string[] {
  const nowMs = emulator.now().getTime();

  for (const [index, company] of DEMO_COMPANIES.entries()) {
    for (const spec of PENDING_JOBS) {
      // Shift each company a little so no two jobs share an instant.
      const createdMs = nowMs - (spec.minutesAgo + index * 3) * 60_000;
      emulator.createJob({
        companyId: company.id,
        createdAt: withOffset(createdMs, spec.offsetMinutes),
        numberOfItems: spec.items,
        expiresIn: DEMO_EXPIRES_IN,
        isInteractive: spec.minutesAgo < 10,
      });
    }
  }

  const [first] = DEMO_COMPANIES;
  emulator.createJob({
    companyId: first.id,
    createdAt: withOffset(nowMs - 3 * 60 * 60_000, 0),
    status: 'completed',
    numberOfItems: 2,
    expiresIn: DEMO_EXPIRES_IN,
  });
  return DEMO_COMPANIES.map((company) => company.id);
}

/**
 * The instant written in a given UTC offset, e.g. `2026-11-30T10:14:05.123+01:00`:
 * the same moment as its `Z` form, but it does not sort like it as text.
 */
export function withOffset(epochMs: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(epochMs).toISOString();
  const local = new Date(epochMs + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  const hours = String(Math.floor(abs / 60)).padStart(2, '0');
  const minutes = String(abs % 60).padStart(2, '0');
  return `${local}${sign}${hours}:${minutes}`;
}
