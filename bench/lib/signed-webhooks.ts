/**
 * Webhook deliveries sent by the benchmark itself, signed the way Pleo signs
 * them (Standard Webhooks), for storms denser than the emulator would send.
 */
import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { request } from 'undici';

export interface SignedDelivery {
  body: string;
  headers: Record<string, string>;
}

/** An `export-job.created` delivery with its own webhook-id and job id. */
export function signedDelivery(secret: string, messageId: string): SignedDelivery {
  const body = JSON.stringify({
    eventId: messageId,
    eventType: 'v1.export-job.created',
    data: { id: randomUUID(), status: 'pending', createdAt: new Date().toISOString() },
  });
  const at = new Date();
  const headers = {
    'content-type': 'application/json',
    'webhook-id': messageId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1_000)),
    'webhook-signature': new Webhook(secret).sign(messageId, at, body),
  };
  return { body, headers };
}

/** POSTs a delivery; resolves with the status and how long the answer took. */
export async function postDelivery(
  url: string,
  delivery: SignedDelivery,
): Promise<{ status: number; ms: number }> {
  const sentAt = performance.now();
  const answer = await request(url, { method: 'POST', ...delivery });
  await answer.body.dump();
  return { status: answer.statusCode, ms: performance.now() - sentAt };
}
