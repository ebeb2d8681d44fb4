/**
 * How the client authenticates, and how it keeps the secret out of every
 * log line, error message and error property it produces.
 */
import { ConfigError, PleoExportError } from '../errors.js';

/**
 * An OAuth2 bearer token, or an API key (sent as HTTP Basic: the key is the
 * user name, the password is empty).
 *
 * @example
 * const credentials: PleoCredentials = { apiKey: process.env.PLEO_API_KEY ?? '' };
 */
export type PleoCredentials = { token: string } | { apiKey: string };

/**
 * Fixed credentials, or a provider the client calls before every request so
 * a host can hand out a refreshed OAuth token.
 *
 * @example
 * const source: CredentialsSource = async () => ({ token: await tokens.current() });
 */
export type CredentialsSource =
  | PleoCredentials
  | (() => PleoCredentials | Promise<PleoCredentials>);

/** What a request needs from the credentials: the header and what to redact. */
export interface ResolvedCredentials {
  readonly authorization: string;
  /** Every form in which the secret could appear in text. */
  readonly secrets: readonly string[];
}

/**
 * Calls the provider (when there is one) and builds the `Authorization`
 * header. A provider that throws a {@link PleoExportError} is trusted to
 * have chosen its class; anything else it throws is wrapped by `onFailure`.
 */
export async function resolveCredentials(
  source: CredentialsSource,
  onFailure: (cause: unknown) => PleoExportError,
): Promise<ResolvedCredentials> {
  let credentials: unknown;
  try {
    credentials = typeof source === 'function' ? await source() : source;
  } catch (error: unknown) {
    if (error instanceof PleoExportError) throw error;
    throw onFailure(error);
  }
  return toResolved(credentials);
}

function toResolved(credentials: unknown): ResolvedCredentials {
  if (typeof credentials === 'object' && credentials !== null) {
    if ('token' in credentials && isFilled(credentials.token)) {
      const token = credentials.token;
      const authorization = `Bearer ${token}`;
      return { authorization, secrets: [token, authorization] };
    }
    if ('apiKey' in credentials && isFilled(credentials.apiKey)) {
      const apiKey = credentials.apiKey;
      const encoded = Buffer.from(`${apiKey}:`).toString('base64');
      const authorization = `Basic ${encoded}`;
      return { authorization, secrets: [apiKey, encoded, authorization] };
    }
  }
  // The value itself is left out of the message: it may be half a secret.
  throw new ConfigError(
    'Pleo credentials must be { token } or { apiKey } with a non-empty string.',
  );
}

function isFilled(value: unknown): value is string {
  return typeof value === 'string' && value.trim().length > 0;
}

/** Replaces every occurrence of each secret in `text`. */
export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret.length > 0) result = result.split(secret).join('[redacted]');
  }
  return result;
}

/**
 * Returns a cause that is safe to keep on an error: the original when no
 * secret appears anywhere in its chain, otherwise a plain Error with the
 * secret redacted and the original `code` kept (undici's mock errors, for
 * one, quote the request headers).
 */
export function safeCause(cause: unknown, secrets: readonly string[]): unknown {
  if (typeof cause === 'string') return redact(cause, secrets);
  if (!(cause instanceof Error)) return cause;
  if (!secrets.some((secret) => secret.length > 0 && chainText(cause).includes(secret))) {
    return cause;
  }
  const clean = new Error(redact(cause.message, secrets));
  clean.name = cause.name;
  if ('code' in cause && typeof cause.code === 'string') {
    Object.assign(clean, { code: cause.code });
  }
  return clean;
}

function chainText(error: Error): string {
  const parts: string[] = [];
  let current: unknown = error;
  // A few levels suffice: network errors nest one or two causes deep.
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    parts.push(current.message, current.stack ?? '');
    current = current.cause;
  }
  return parts.join('\n');
}
