/**
 * Generators of job timestamps for property tests: each one is built from a
 * known instant (whole seconds and nanoseconds), then written with a random
 * offset and a random number of fraction digits. The test knows the true
 * order; the code under test only sees the text.
 */
import fc from 'fast-check';

/** 2026-11-30T09:00:00Z, and a few instants around it so that ties are common. */
const BASE_SECOND = Date.UTC(2026, 10, 30, 9, 0, 0) / 1000;
const SECONDS = [0, 1, 1800, 3600, 86_399].map((delta) => BASE_SECOND + delta);
const FRACTIONS = ['', '5', '50', '500000000', '000000001', '0005', '123456789', '9'];
const OFFSETS_MIN = [0, 60, -60, 330, -570, 840, -720, 45];

export interface GeneratedInstant {
  text: string;
  /** Nanoseconds since the epoch: the order the text must sort by. */
  nanos: bigint;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

function zone(offsetMin: number, zulu: boolean): string {
  if (offsetMin === 0 && zulu) return 'Z';
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function writeInstant(
  second: number,
  fraction: string,
  offsetMin: number,
  zulu: boolean,
): GeneratedInstant {
  const local = new Date((second + offsetMin * 60) * 1000).toISOString().slice(0, 19);
  const text = `${local}${fraction ? `.${fraction}` : ''}${zone(offsetMin, zulu)}`;
  const nanos = BigInt(second) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0') || '0');
  return { text, nanos };
}

export const instantArb: fc.Arbitrary<GeneratedInstant> = fc
  .record({
    second: fc.oneof(
      fc.constantFrom(...SECONDS),
      fc.integer({ min: BASE_SECOND - 400 * 86_400, max: BASE_SECOND + 400 * 86_400 }),
    ),
    fraction: fc.oneof(
      fc.constantFrom(...FRACTIONS),
      fc.array(fc.integer({ min: 0, max: 9 }), { maxLength: 9 }).map((d) => d.join('')),
    ),
    offsetMin: fc.oneof(fc.constantFrom(...OFFSETS_MIN), fc.integer({ min: -720, max: 840 })),
    zulu: fc.boolean(),
  })
  .map(({ second, fraction, offsetMin, zulu }) => writeInstant(second, fraction, offsetMin, zulu));
