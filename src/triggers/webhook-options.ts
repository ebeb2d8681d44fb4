/**
 * The options of the webhook handler, checked once at creation so a bad
 * value fails at start-up with a message naming the option (and never
 * quoting a secret).
 */
import type { Logger } from 'pino';
import { ConfigError } from '../errors.js';
import { redactingChild, silentLogger } from '../logger.js';
import { DedupeCache, type DedupeOptions } from './dedupe-cache.js';
import { checkAuthOptions, type WebhookAuth } from './webhook-auth.js';
import { SignatureVerifier } from './webhook-verifier.js';

/** What the handler tells the host about a verified `export-job.created` delivery. */
export interface JobCreatedEvent {
  /** The job the webhook names. Only a hint: detection reads the real state. */
  jobId: string;
  companyId?: string;
  /** The delivery's `webhook-id` header. */
  webhookId: string;
}

export interface WebhookHandlerOptions {
  /** The subscription's signing secret, `whsec_` and a base64 key. */
  secret: string;
  /**
   * Called once per new, verified `export-job.created` delivery; usually
   * `() => orchestrator.trigger('webhook')`. It must return at once. If it
   * returns `false` (orchestrator not running) the delivery is answered 503
   * so the sender retries it later; if it throws, 500.
   */
  onJobCreated: (event: JobCreatedEvent) => void | boolean;
  /** How far `webhook-timestamp` may be from now, in seconds. Default 300. */
  toleranceSeconds?: number;
  /** An extra check in front of the signature, for a proxy that demands it. */
  auth?: WebhookAuth;
  /** Redeliveries seen within this window cost nothing. */
  dedupe?: DedupeOptions;
  /** Larger bodies are refused with 413. Default 256 KiB. */
  maxBodyBytes?: number;
  logger?: Logger;
  /** The clock in epoch milliseconds. Default `Date.now`; tests pass their own. */
  now?: () => number;
}

export interface ResolvedWebhookOptions {
  verifier: SignatureVerifier;
  onJobCreated: WebhookHandlerOptions['onJobCreated'];
  auth: WebhookAuth | undefined;
  seen: DedupeCache;
  maxBodyBytes: number;
  logger: Logger;
  now: () => number;
}

export const DEFAULT_TOLERANCE_SECONDS = 300;
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

/** Applies defaults and throws a {@link ConfigError} naming a bad option. */
export function resolveWebhookOptions(options: WebhookHandlerOptions): ResolvedWebhookOptions {
  if (typeof options.onJobCreated !== 'function') {
    throw new ConfigError('onJobCreated must be a function.');
  }
  const tolerance = options.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  if (!Number.isFinite(tolerance) || tolerance <= 0) {
    throw new ConfigError(`toleranceSeconds must be a positive number, got ${String(tolerance)}.`);
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes < 1) {
    throw new ConfigError(
      `maxBodyBytes must be a positive integer, got ${String(maxBodyBytes)}.`,
    );
  }
  if (options.auth !== undefined) checkAuthOptions(options.auth);
  const now = options.now ?? Date.now;

  return {
    verifier: new SignatureVerifier(options.secret, { toleranceSeconds: tolerance, now }),
    onJobCreated: options.onJobCreated,
    auth: options.auth,
    seen: new DedupeCache(options.dedupe),
    maxBodyBytes,
    logger: redactingChild(options.logger ?? silentLogger(), { component: 'webhook' }),
    now,
  };
}
