/**
 * The webhook handler as a `node:http` request listener. It reads the body
 * itself, so the size limit is enforced while bytes arrive rather than
 * after a large body was buffered.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toError } from '../errors.js';
import { createWebhookCore, type WebhookHandlerOptions, type WebhookResponse } from './webhook.js';

export type NodeWebhookHandler = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Creates a `(req, res)` listener for `node:http` (or any router passing
 * Node's own request and response, before any body parser ran).
 *
 * @example
 * const webhook = createNodeWebhookHandler({
 *   secret: process.env.PLEO_WEBHOOK_SECRET!,
 *   onJobCreated: () => orchestrator.trigger('webhook'),
 * });
 * http.createServer((req, res) => {
 *   if (req.url === '/webhooks/pleo') return webhook(req, res);
 *   res.writeHead(404).end();
 * }).listen(8080, '127.0.0.1');
 */
export function createNodeWebhookHandler(options: WebhookHandlerOptions): NodeWebhookHandler {
  const core = createWebhookCore(options);
  const limit = core.maxBodyBytes;

  return (req, res) => {
    const webhookId = firstValue(req.headers['webhook-id']);
    if (req.method !== 'POST') {
      return answerAndClose(req, res, core.refuse(405, 'method not allowed', webhookId));
    }
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      return answerAndClose(req, res, core.refuse(413, 'body too large', webhookId));
    }

    readBody(req, limit).then(
      (body) => {
        if (body === undefined) {
          return answerAndClose(req, res, core.refuse(413, 'body too large', webhookId));
        }
        send(res, core.handle({ method: req.method, headers: req.headers, rawBody: body }));
      },
      (error: unknown) => {
        // The sender hung up mid-body; there is nobody left to answer.
        core.logger.debug({ err: toError(error), webhookId }, 'webhook body not received');
        res.destroy();
      },
    );
  };
}

/**
 * Collects the body, resolving `undefined` as soon as it grows past `limit`
 * (a chunked body announces no length, so only counting tells).
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onFailure);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        stop();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks, size));
    };
    const onFailure = (error: Error) => {
      stop();
      reject(error);
    };
    const onClose = () => onFailure(new Error('the request closed before its body ended'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onFailure);
    req.on('close', onClose);
  });
}

/**
 * Answers and closes the connection without reading the rest of the body:
 * draining it to keep the connection alive would mean accepting the very
 * bytes the limit refuses.
 */
function answerAndClose(req: IncomingMessage, res: ServerResponse, answer: WebhookResponse) {
  req.pause();
  send(res, { ...answer, headers: { ...answer.headers, connection: 'close' } });
}

function send(res: ServerResponse, answer: WebhookResponse): void {
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    ...answer.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
