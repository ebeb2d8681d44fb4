/**
 * How the emulator is made to produce a move: the fault that turns a held
 * request into that outcome, and a webhook delivery through the product's
 * real, signature-checking handler.
 */
import { Webhook } from 'standardwebhooks';
import type { FaultSpec } from '../../src/emulator/index.js';
import { createWebhookHandler } from '../../src/triggers/webhook.js';
import { OTHER_JOB_ID, type Move } from './moves.js';
import { COMPANY_ID, FOREIGN } from './world-jobs.js';

type FaultMaker = (jobId: string | undefined) => FaultSpec;

const once = (spec: FaultSpec): FaultSpec => ({ ...spec, times: 1 });
const onEvents = (status: number): FaultMaker => (jobId) =>
  once({ kind: 'status', status, route: 'jobEvents', jobId });

/** The one-shot fault behind each failing outcome; a move without one needs none. */
export const FAULTS: Partial<Record<Move, FaultMaker>> = {
  'detect:auth': () => once({ kind: 'status', status: 401, route: 'listJobs' }),
  'detect:transient': () => once({ kind: 'status', status: 503, route: 'listJobs' }),
  'claim:refused': onEvents(404),
  'claim:timeout': (jobId) => once({ kind: 'hangAfterApply', route: 'jobEvents', jobId }),
  'claim:reset': (jobId) => once({ kind: 'resetAfterApply', route: 'jobEvents', jobId }),
  'claim:auth': onEvents(401),
  // Retry-After 0: the shared request budget must not pause on the fake clock.
  'claim:rate-limited': (jobId) =>
    once({ kind: 'rateLimit', retryAfter: 0, route: 'jobEvents', jobId }),
  'report:auth': onEvents(401),
  'report:server-error': onEvents(503),
};

const WEBHOOK_SECRET = `whsec_${Buffer.from('model-tests-webhook-key-0123456').toString('base64')}`;

/** Builds a webhook endpoint that triggers through `trigger`, as a host would mount it. */
export function webhookSender(trigger: () => boolean) {
  const handle = createWebhookHandler({ secret: WEBHOOK_SECRET, onJobCreated: trigger });
  let deliveries = 0;
  return () => {
    deliveries += 1;
    const id = `msg_model_${deliveries}`;
    const data = { id: OTHER_JOB_ID, companyId: COMPANY_ID, status: 'pending' };
    const body = JSON.stringify({
      eventId: id,
      eventType: 'v1.export-job.created',
      data: { ...data, createdAt: FOREIGN.createdAt },
    });
    const at = new Date();
    const answer = handle({
      method: 'POST',
      rawBody: body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
        'webhook-signature': new Webhook(WEBHOOK_SECRET).sign(id, at, body),
      },
    });
    if (answer.status !== 202) {
      throw new Error(`The webhook was answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    }
  };
}
