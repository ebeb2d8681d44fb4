/**
 * The webhook trigger, independent of any HTTP framework: it takes the
 * method, headers and raw body of a request and returns the answer. A
 * verified `export-job.created` delivery only asks for a detection; the
 * poll keeps running beside it because deliveries can be lost.
 */
import type { Logger } from 'pino';
import { toError } from '../errors.js';
import { isAuthorized } from './webhook-auth.js';
import { parseWebhookBody } from './webhook-body.js';
import {
  resolveWebhookOptions,
  type ResolvedWebhookOptions,
  type WebhookHandlerOptions,
} from './webhook-options.js';

export type { JobCreatedEvent, WebhookHandlerOptions } from './webhook-options.js';
export type { WebhookAuth } from './webhook-auth.js';

/** What any framework can hand over: the body must be the bytes as received. */
export interface WebhookRequest {
  /** Anything but POST is answered 405; leave it out if the router checked it. */
  method?: string;
  /** Header names in any case; repeated headers as arrays. */
  headers: Record<string, string | string[] | undefined>;
  /** The exact bytes received. A re-serialised JSON body breaks the signature. */
  rawBody: Buffer | string;
}

export interface WebhookResponse {
  status: number;
  /** A small JSON-serialisable object. */
  body: unknown;
  headers?: Record<string, string>;
}

export type WebhookHandler = (request: WebhookRequest) => WebhookResponse;

const BASIC_CHALLENGE = { 'www-authenticate': 'Basic realm="pleo-webhooks"' };

/**
 * Creates the webhook handler. It answers synchronously: the trigger is
 * queued, detection runs later, so the sender never waits for it.
 *
 * @example
 * const handle = createWebhookHandler({
 *   secret: process.env.PLEO_WEBHOOK_SECRET!,
 *   onJobCreated: () => orchestrator.trigger('webhook'),
 * });
 * app.post('/webhooks/pleo', express.raw({ type: 'application/json' }), (req, res) => {
 *   const answer = handle({ method: req.method, headers: req.headers, rawBody: req.body });
 *   res.status(answer.status).set(answer.headers ?? {}).json(answer.body);
 * });
 */
export function createWebhookHandler(options: WebhookHandlerOptions): WebhookHandler {
  return createWebhookCore(options).handle;
}

/** What framework adapters build on: the handler, and refusals logged the same way. */
export interface WebhookCore {
  handle: WebhookHandler;
  /** Answers (and logs) a refusal decided before the body was read. */
  refuse(status: 405 | 413, reason: string, webhookId?: string): WebhookResponse;
  maxBodyBytes: number;
  logger: Logger;
}

/** @internal Shared by {@link createWebhookHandler} and the node:http adapter. */
export function createWebhookCore(options: WebhookHandlerOptions): WebhookCore {
  const resolved = resolveWebhookOptions(options);
  return {
    handle: (request) => handle(resolved, request),
    refuse: (status, reason, webhookId) => {
      const headers = status === 405 ? { allow: 'POST' } : undefined;
      return refuser(resolved.logger, webhookId)(status, reason, headers);
    },
    maxBodyBytes: resolved.maxBodyBytes,
    logger: resolved.logger,
  };
}

function handle(options: ResolvedWebhookOptions, request: WebhookRequest): WebhookResponse {
  const { logger } = options;
  const header = headerReader(request.headers);
  const refuse = refuser(logger, header('webhook-id'));

  if (request.method !== undefined && request.method.toUpperCase() !== 'POST') {
    return refuse(405, 'method not allowed', { allow: 'POST' });
  }
  const body = toBuffer(request.rawBody);
  if (body === undefined) {
    // A host bug, not the sender's: most often a JSON body parser ran first.
    logger.error('webhook rawBody is neither a Buffer nor a string; mount a raw body parser');
    return { status: 500, body: { error: 'webhook receiver misconfigured' } };
  }
  if (body.length > options.maxBodyBytes) return refuse(413, 'body too large');
  if (options.auth && !isAuthorized(options.auth, header)) {
    const challenge = 'basic' in options.auth ? BASIC_CHALLENGE : undefined;
    return refuse(401, 'credentials missing or wrong', challenge);
  }

  const verdict = options.verifier.verify(
    {
      id: header('webhook-id'),
      timestamp: header('webhook-timestamp'),
      signature: header('webhook-signature'),
    },
    body,
  );
  if (!verdict.ok) return refuse(401, verdict.reason);

  const webhookId = verdict.id;
  if (options.seen.has(webhookId, options.now())) {
    logger.debug({ webhookId }, 'webhook redelivered; already handled');
    return { status: 200, body: { received: true, duplicate: true } };
  }

  const parsed = parseWebhookBody(body);
  if (parsed.kind === 'invalid') return refuse(400, parsed.reason);
  if (parsed.kind === 'other-event') {
    options.seen.add(webhookId, options.now());
    logger.debug({ webhookId, eventType: parsed.eventType }, 'webhook event type ignored');
    return { status: 200, body: { received: true, ignored: true } };
  }

  const event = { jobId: parsed.jobId, companyId: parsed.companyId, webhookId };
  let queued: void | boolean;
  try {
    queued = options.onJobCreated(event);
  } catch (error: unknown) {
    // Not remembered as seen: the sender's retry gets another chance.
    logger.error({ err: toError(error), webhookId }, 'webhook onJobCreated threw');
    return { status: 500, body: { error: 'trigger failed' } };
  }
  if (queued === false) return refuse(503, 'orchestrator is not running');

  options.seen.add(webhookId, options.now());
  logger.debug({ webhookId, jobId: parsed.jobId }, 'webhook triggered a detection');
  return { status: 202, body: { received: true, triggered: true } };
}

type HeaderReader = (name: string) => string | undefined;

/** Reads headers by lower-case name; repeated ones are joined with spaces. */
function headerReader(headers: WebhookRequest['headers']): HeaderReader {
  const byName = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    byName.set(name.toLowerCase(), Array.isArray(value) ? value.join(' ') : value);
  }
  return (name) => byName.get(name);
}

/** Logs one warning per refused delivery: the reason, never the body or the secret. */
function refuser(logger: Logger, rawId: string | undefined) {
  // The id is unverified input here; keep a log line short whatever it holds.
  const webhookId = rawId?.slice(0, 64);
  return (status: number, reason: string, headers?: Record<string, string>) => {
    logger.warn({ status, reason, webhookId }, 'webhook refused');
    return { status, body: { error: reason }, ...(headers ? { headers } : {}) };
  };
}

function toBuffer(rawBody: unknown): Buffer | undefined {
  if (typeof rawBody === 'string') return Buffer.from(rawBody, 'utf8');
  if (Buffer.isBuffer(rawBody)) return rawBody;
  if (rawBody instanceof Uint8Array) {
    return Buffer.from(rawBody.buffer, rawBody.byteOffset, rawBody.byteLength);
  }
  return undefined;
}
