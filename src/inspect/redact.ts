/**
 * Makes an inspection message safe to leave the process: a plain JSON value
 * in which every property whose name suggests a secret is replaced, at any
 * depth, and every known secret value is cut out of any text. The actor's
 * own context and events are never modified; everything is copied.
 */

export const REDACTED = '[redacted]';

/** token, apiKey, webhookSecret, authorization, password, credentials, … in any case. */
const SECRET_KEY = new RegExp(
  [
    'token', 'api[-_]?key', 'secret', 'passw(or)?d', 'authori[sz]ation', 'credential',
    'cookie', 'signature', 'private[-_]?key',
  ].join('|'),
  'i',
);

const MAX_DEPTH = 24;

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key);
}

function scrub(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length >= 4) result = result.split(secret).join(REDACTED);
  }
  return result;
}

function hasToJSON(value: object): value is { toJSON: () => unknown } {
  return typeof (value as { toJSON?: unknown }).toJSON === 'function';
}

function walk(
  value: unknown,
  secrets: readonly string[],
  depth: number,
  seen: WeakSet<object>,
): unknown {
  if (typeof value === 'string') return scrub(value, secrets);
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value !== 'object' || value === null) return value;
  if (depth > MAX_DEPTH) return '[too deep]';
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  try {
    if (value instanceof Error) {
      const code = (value as { code?: unknown }).code;
      return walk({ name: value.name, message: value.message, code }, secrets, depth + 1, seen);
    }
    if (value instanceof Map) return walk(Object.fromEntries(value), secrets, depth + 1, seen);
    if (value instanceof Set) return walk([...value], secrets, depth + 1, seen);
    if (Array.isArray(value)) return value.map((item) => walk(item, secrets, depth + 1, seen));
    // Snapshots and actor references describe themselves through toJSON.
    if (hasToJSON(value)) {
      const json = value.toJSON();
      return json === value ? '[unserialisable]' : walk(json, secrets, depth + 1, seen);
    }
    const copy: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (isSecretKey(key)) {
        copy[key] = REDACTED;
      } else if (key === 'definition' && typeof item === 'string') {
        // A machine definition travels as JSON text; its literal context may hold secrets.
        copy[key] = redactJsonText(item, secrets);
      } else {
        const safe = walk(item, secrets, depth + 1, seen);
        if (safe !== undefined) copy[key] = safe;
      }
    }
    return copy;
  } finally {
    seen.delete(value);
  }
}

function redactJsonText(text: string, secrets: readonly string[]): string {
  try {
    return JSON.stringify(redactForInspection(JSON.parse(text), secrets));
  } catch {
    return scrub(text, secrets);
  }
}

/**
 * A redacted, JSON-safe copy of `value`.
 *
 * @example
 * redactForInspection({ context: { token: 't0k3n', jobId: 'j1' } });
 * // → { context: { token: '[redacted]', jobId: 'j1' } }
 */
export function redactForInspection(value: unknown, secrets: readonly string[] = []): unknown {
  return walk(value, secrets, 0, new WeakSet());
}
