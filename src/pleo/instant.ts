/**
 * Instants as Pleo sends them: ISO 8601 with a `Z` or a numeric offset and up
 * to nine fractional digits.
 *
 * Why not compare the strings: `2026-11-30T10:00:00+01:00` is earlier than
 * `2026-11-30T09:30:00Z`, and `…05.5Z` sorts before `…05Z` as text. Why not
 * `Date.parse` alone: it keeps milliseconds only, so two jobs created within
 * the same millisecond would tie although their timestamps differ.
 */
export interface Instant {
  /** Whole milliseconds since the epoch. */
  readonly epochMs: number;
  /** Nanoseconds within that millisecond, 0–999999. */
  readonly subMsNanos: number;
}

const DATE = String.raw`(\d{4})-(\d{2})-(\d{2})`;
const TIME = String.raw`(\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?`;
const ZONE = String.raw`([Zz]|[+-]\d{2}(?::?\d{2})?)?`;
const ISO_INSTANT = new RegExp(`^${DATE}[Tt ]${TIME}${ZONE}$`);

/**
 * Parses an ISO 8601 instant, or returns `undefined` when the text is not a
 * real calendar instant. A string without a zone is taken as UTC (Pleo's
 * timestamps are UTC; skipping the job instead would lose it).
 */
export function parseInstant(text: string): Instant | undefined {
  const match = ISO_INSTANT.exec(text.trim());
  if (!match) return undefined;

  const [, y, mo, d, h, mi, s = '0', fraction = '', zone = 'Z'] = match;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return undefined;

  const utcMs = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utcMs);
  if (check.getUTCDate() !== day || check.getUTCMonth() !== month - 1) return undefined;

  const nanos = Number(fraction.padEnd(9, '0'));
  const offsetMs = zoneOffsetMs(zone);
  if (offsetMs === undefined) return undefined;

  return {
    epochMs: utcMs - offsetMs + Math.floor(nanos / 1e6),
    subMsNanos: nanos % 1e6,
  };
}

function zoneOffsetMs(zone: string): number | undefined {
  if (zone === 'Z' || zone === 'z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  if (hours > 23 || minutes > 59) return undefined;
  return sign * (hours * 60 + minutes) * 60_000;
}

/** Orders two instants: negative when `a` is earlier. */
export function compareInstants(a: Instant, b: Instant): number {
  return a.epochMs - b.epochMs || a.subMsNanos - b.subMsNanos;
}
