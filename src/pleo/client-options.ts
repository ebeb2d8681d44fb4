/**
 * The options of {@link PleoClient}, checked once at construction so a bad
 * value fails at start-up with a message naming the option.
 */
import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { ConfigError } from '../errors.js';
import type { CredentialsSource } from './credentials.js';
import type { RequestInfo } from './http.js';
import type { RequestGate } from './request-gate.js';
import { resolveRetryPolicy, type RetryPolicy } from './retry.js';

/**
 * How to reach and authenticate with Pleo's Export API.
 *
 * @example
 * const options: PleoClientOptions = {
 *   baseUrl: 'https://external.pleo.io',
 *   credentials: { apiKey: process.env.PLEO_API_KEY ?? '' },
 *   logger,
 * };
 */
export interface PleoClientOptions {
  /** e.g. `https://external.pleo.io`; a path prefix is kept. */
  baseUrl: string;
  /** Fixed, or a provider called before every request (OAuth refresh). */
  credentials: CredentialsSource;
  /** Deadline per attempt over connect, headers and the whole body. Default 10 000. */
  requestTimeoutMs?: number;
  /**
   * For idempotent calls (GET, PUT items). POSTs use it only for failures
   * that provably happened before sending.
   */
  retry?: Partial<RetryPolicy>;
  /** `limit` of each page. Default 100. */
  pageSize?: number;
  /** Safety stop for paging. Default 10 000. */
  maxPages?: number;
  /** A MockAgent in tests, or a pool shared with the host. */
  dispatcher?: Dispatcher;
  /** Gets a debug line per request; never the credentials. */
  logger?: Logger;
  /** Called after every attempt, for metrics. A throw is logged and ignored. */
  onRequest?: (info: RequestInfo) => void;
  userAgent?: string;
  /** The source of jitter, in [0, 1). Default `Math.random`. */
  random?: () => number;
  /** A request budget shared with other clients (many companies, one process). */
  gate?: RequestGate;
  /** Who this client's requests count against at the gate; default `default`. */
  gateLane?: string;
}

/** The options with defaults applied and values checked. */
export interface ResolvedClientOptions {
  baseUrl: string;
  credentials: CredentialsSource;
  requestTimeoutMs: number;
  retry: RetryPolicy;
  pageSize: number;
  maxPages: number;
  userAgent: string;
  random: () => number;
}

const DEFAULT_USER_AGENT = 'pleo-export-orchestrator';

/** Applies defaults and throws a {@link ConfigError} naming a bad option. */
export function resolveClientOptions(options: PleoClientOptions): ResolvedClientOptions {
  return {
    baseUrl: checkBaseUrl(options.baseUrl),
    credentials: checkCredentials(options.credentials),
    requestTimeoutMs: positive('requestTimeoutMs', options.requestTimeoutMs, 10_000),
    retry: resolveRetryPolicy(options.retry),
    pageSize: positive('pageSize', options.pageSize, 100),
    maxPages: positive('maxPages', options.maxPages, 10_000),
    userAgent: options.userAgent ?? DEFAULT_USER_AGENT,
    random: options.random ?? Math.random,
  };
}

function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    const shown = JSON.stringify(baseUrl);
    throw new ConfigError(`baseUrl must be an absolute URL, got ${shown}.`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ConfigError(`baseUrl must use http or https, got ${url.protocol}`);
  }
  const extras = [url.username, url.password, url.search, url.hash];
  if (extras.some((part) => part !== '')) {
    // Credentials belong in `credentials`, where they are kept out of logs.
    throw new ConfigError('baseUrl must not carry user info, a query or a fragment.');
  }
  return baseUrl;
}

function checkCredentials(credentials: CredentialsSource): CredentialsSource {
  if (typeof credentials === 'function') return credentials;
  if (typeof credentials === 'object' && credentials !== null) return credentials;
  throw new ConfigError(
    'credentials must be { token }, { apiKey } or a function returning one.',
  );
}

/** An integer ≥ 1, or the fallback when not given. */
function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${name} must be an integer ≥ 1, got ${value}.`);
  }
  return value;
}
