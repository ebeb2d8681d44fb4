/**
 * Webhook delivery settings and the log of every delivery, kept apart from
 * the dispatcher so tests and the control surface can read them.
 */

/** How webhooks are delivered. Defaults suit a developer's machine. */
export interface WebhookSettings {
  /** Send `{ payload: event }` instead of the bare event (default false). */
  wrapPayload?: boolean;
  /** The `eventType` sent (default `v1.export-job.created`). */
  eventType?: string;
  /** Attempts per delivery, the first included (default 5). */
  maxAttempts?: number;
  /** Wait before the second attempt, doubled for each one after (default 500). */
  backoffMs?: number;
  /** Longest wait between attempts (default 30 000). */
  maxBackoffMs?: number;
  /** Time allowed for each attempt (default 5 000). */
  timeoutMs?: number;
  /** Wait before the first attempt: fixed or drawn from a range (default 0). */
  delayMs?: number | { min: number; max: number };
  /** Chance that a delivery is sent twice with the same `webhook-id` (default 0). */
  duplicateProbability?: number;
  /** Chance that a delivery is never sent (default 0). */
  dropProbability?: number;
  /**
   * When above 0, deliveries are held for this many milliseconds and sent
   * in a shuffled order (never the original one when there are two or more).
   */
  reorderWindowMs?: number;
}

export type ResolvedWebhookSettings = Required<WebhookSettings>;

export function resolveWebhookSettings(settings: WebhookSettings): ResolvedWebhookSettings {
  return {
    wrapPayload: settings.wrapPayload ?? false,
    eventType: settings.eventType ?? 'v1.export-job.created',
    maxAttempts: Math.max(1, settings.maxAttempts ?? 5),
    backoffMs: settings.backoffMs ?? 500,
    maxBackoffMs: settings.maxBackoffMs ?? 30_000,
    timeoutMs: settings.timeoutMs ?? 5_000,
    delayMs: settings.delayMs ?? 0,
    duplicateProbability: settings.duplicateProbability ?? 0,
    dropProbability: settings.dropProbability ?? 0,
    reorderWindowMs: settings.reorderWindowMs ?? 0,
  };
}

export type DeliveryState = 'scheduled' | 'delivering' | 'delivered' | 'failed' | 'dropped';

export interface DeliveryAttempt {
  /** When the attempt started (wall clock, ISO 8601). */
  at: string;
  /** The receiver's status, when it answered. */
  status?: number;
  /** Why the attempt failed without an answer (refused, timed out…). */
  error?: string;
}

export interface DeliveryRecord {
  /** 1 for the first delivery since start or the last reset. */
  id: number;
  /** The `webhook-id` header; a duplicate shares it with its original. */
  messageId: string;
  subscriptionId: string;
  endpointUrl: string;
  eventType: string;
  jobId: string;
  /** True for the extra copy sent by `duplicateProbability`. */
  duplicate: boolean;
  state: DeliveryState;
  attempts: DeliveryAttempt[];
}

export class DeliveryLog {
  #records: DeliveryRecord[] = [];

  add(fields: Omit<DeliveryRecord, 'id' | 'state' | 'attempts'>): DeliveryRecord {
    const record: DeliveryRecord = {
      id: this.#records.length + 1,
      state: 'scheduled',
      attempts: [],
      ...fields,
    };
    this.#records.push(record);
    return record;
  }

  list(): DeliveryRecord[] {
    return structuredClone(this.#records);
  }
}
