/**
 * Optional credentials in front of the signature check, for deployments
 * whose proxy or gateway insists on them. They never replace the signature.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '../errors.js';

/**
 * HTTP Basic credentials, or one static header and its value.
 *
 * @example
 * const auth: WebhookAuth = { header: { name: 'x-webhook-token', value: process.env.TOKEN! } };
 */
export type WebhookAuth =
  | { basic: { username: string; password: string } }
  | { header: { name: string; value: string } };

/** RFC 9110 token characters: what a header name may contain. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Throws a {@link ConfigError} naming the bad field; values are never quoted. */
export function checkAuthOptions(auth: WebhookAuth): void {
  if (typeof auth !== 'object' || auth === null) {
    throw new ConfigError('auth must be { basic: {…} } or { header: {…} }.');
  }
  if ('basic' in auth) {
    const { username, password } = auth.basic;
    if (typeof username !== 'string' || username.length === 0 || username.includes(':')) {
      throw new ConfigError('auth.basic.username must be a non-empty string without a colon.');
    }
    if (typeof password !== 'string' || password.length === 0) {
      throw new ConfigError('auth.basic.password must be a non-empty string.');
    }
    return;
  }
  if ('header' in auth) {
    const { name, value } = auth.header;
    if (typeof name !== 'string' || !HEADER_NAME.test(name)) {
      throw new ConfigError('auth.header.name must be a valid HTTP header name.');
    }
    if (typeof value !== 'string' || value.length === 0) {
      throw new ConfigError('auth.header.value must be a non-empty string.');
    }
    return;
  }
  throw new ConfigError(
    'auth must be { basic: { username, password } } or { header: { name, value } }.',
  );
}

/**
 * True when the request carries the configured credentials. `header` reads
 * one request header by lower-case name.
 */
export function isAuthorized(
  auth: WebhookAuth,
  header: (name: string) => string | undefined,
): boolean {
  if ('basic' in auth) {
    const { username, password } = auth.basic;
    const expected = Buffer.from(`${username}:${password}`).toString('base64');
    // The scheme name is case-insensitive; only the credentials are secret.
    const offered = /^basic +(\S+)$/i.exec(header('authorization') ?? '')?.[1] ?? '';
    return equalInConstantTime(offered, expected);
  }
  return equalInConstantTime(header(auth.header.name.toLowerCase()) ?? '', auth.header.value);
}

/**
 * Compares digests rather than the strings themselves, so neither the
 * content nor the length of the expected value leaks through timing.
 */
function equalInConstantTime(actual: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(actual), digest(expected));
}
