/**
 * Reads a verified webhook body: JSON, with or without Pleo's `payload`
 * wrapper, sorted into "a job was created", "another event" or "invalid".
 */
import { z } from 'zod';
import { WEBHOOK_JOB_CREATED_TYPES, WebhookEventSchema } from '../pleo/schemas.js';

export type ParsedBody =
  | { kind: 'job-created'; jobId: string; companyId: string | undefined; eventType: string }
  | { kind: 'other-event'; eventType: string }
  | { kind: 'invalid'; reason: string };

const EnvelopeSchema = z.looseObject({ eventType: z.string().min(1) });
const WrapperSchema = z.looseObject({ payload: z.looseObject({}) });
const JOB_CREATED: readonly string[] = WEBHOOK_JOB_CREATED_TYPES;

/**
 * Classifies a body. Only the job's id is taken from it: the rest of `data`
 * is never trusted as the job's state, detection reads that from Pleo.
 *
 * @example
 * const parsed = parseWebhookBody(Buffer.from(rawBody));
 * if (parsed.kind === 'job-created') orchestrator.trigger('webhook');
 */
export function parseWebhookBody(rawBody: Buffer): ParsedBody {
  let json: unknown;
  try {
    json = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { kind: 'invalid', reason: 'body is not JSON' };
  }

  const wrapped = WrapperSchema.safeParse(json);
  const event = wrapped.success && !hasEventType(json) ? wrapped.data.payload : json;

  const envelope = EnvelopeSchema.safeParse(event);
  if (!envelope.success) return { kind: 'invalid', reason: 'body has no eventType' };
  const { eventType } = envelope.data;
  if (!JOB_CREATED.includes(eventType)) return { kind: 'other-event', eventType };

  const parsed = WebhookEventSchema.safeParse(event);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') || 'body';
    return { kind: 'invalid', reason: `${eventType} body: ${where}: ${issue?.message}` };
  }
  const { id, companyId } = parsed.data.data;
  return { kind: 'job-created', jobId: id, companyId, eventType };
}

function hasEventType(json: unknown): boolean {
  return typeof json === 'object' && json !== null && 'eventType' in json;
}
