/**
 * Delivers `export-job.created` webhooks the way Pleo's service does: signed
 * per Standard Webhooks, at least once, retried with backoff, and (when the
 * options say so) duplicated, delayed, reordered or lost. Every choice comes
 * from the seeded PRNG.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { Webhook } from 'standardwebhooks';
import { Agent, request } from 'undici';
import { toError } from '../errors.js';
import type { Job } from './job.js';
import type { Random } from './random.js';
import type { SubscriptionRecord } from './subscriptions.js';
import { jobCreatedEvent, wantsJobCreated } from './webhook-event.js';
import {
  DeliveryLog,
  type DeliveryRecord,
  type WebhookSettings,
  resolveWebhookSettings,
  type ResolvedWebhookSettings,
} from './delivery-log.js';

export class WebhookDispatcher {
  readonly log = new DeliveryLog();
  readonly #settings: ResolvedWebhookSettings;
  readonly #random: Random;
  readonly #logger: Logger;
  readonly #agent = new Agent({ keepAliveTimeout: 1_000 });
  readonly #stop = new AbortController();
  readonly #running = new Set<Promise<void>>();
  #held: Array<() => void> = [];
  #heldTimer: NodeJS.Timeout | undefined;

  constructor(settings: WebhookSettings, random: Random, logger: Logger) {
    this.#settings = resolveWebhookSettings(settings);
    this.#random = random;
    this.#logger = logger;
  }

  /** Schedules the deliveries of one new job to every interested subscriber. */
  jobCreated(job: Job, subscriptions: readonly SubscriptionRecord[]): void {
    for (const subscription of subscriptions) {
      if (!wantsJobCreated(subscription, job.companyId)) continue;
      const event = jobCreatedEvent(job, this.#random.uuid(), this.#settings.eventType);
      const body = JSON.stringify(this.#settings.wrapPayload ? { payload: event } : event);
      const messageId = `msg_${this.#random.hex(24)}`;
      const copies = this.#random.chance(this.#settings.duplicateProbability) ? 2 : 1;
      for (let copy = 0; copy < copies; copy++) {
        const record = this.log.add({
          messageId,
          subscriptionId: subscription.id,
          endpointUrl: subscription.endpointUrl,
          eventType: this.#settings.eventType,
          jobId: job.id,
          duplicate: copy > 0,
        });
        if (this.#random.chance(this.#settings.dropProbability)) {
          record.state = 'dropped';
          continue;
        }
        this.#schedule(() => this.#track(this.#deliver(record, subscription.secret, body)));
      }
    }
  }

  /** Resolves once no delivery is scheduled, held or in flight. */
  async settled(): Promise<void> {
    while (this.#running.size > 0 || this.#held.length > 0) {
      await Promise.allSettled([...this.#running, sleep(5)]);
    }
  }

  /** Stops every timer and aborts deliveries in flight. */
  async close(): Promise<void> {
    this.#stop.abort();
    clearTimeout(this.#heldTimer);
    this.#held = [];
    await Promise.allSettled([...this.#running]);
    await this.#agent.destroy();
  }

  /**
   * With a reorder window, deliveries wait in a batch that is sent in a
   * shuffled order; otherwise they start at once.
   */
  #schedule(start: () => void): void {
    if (this.#settings.reorderWindowMs <= 0) {
      start();
      return;
    }
    this.#held.push(start);
    this.#heldTimer ??= setTimeout(() => {
      const batch = this.#held;
      this.#held = [];
      this.#heldTimer = undefined;
      let order = this.#random.shuffle(batch);
      // A shuffle may keep the order by chance; a reorder option that does
      // nothing would make the tests that rely on it flaky.
      if (order.every((held, i) => held === batch[i])) order = [...batch].reverse();
      for (const held of order) held();
    }, this.#settings.reorderWindowMs);
  }

  #track(delivery: Promise<void>): void {
    this.#running.add(delivery);
    void delivery
      .catch((error: unknown) => {
        // A delivery must never take the emulator down with it.
        this.#logger.error({ err: toError(error) }, 'webhook delivery crashed');
      })
      .finally(() => this.#running.delete(delivery));
  }

  async #deliver(record: DeliveryRecord, secret: string, body: string): Promise<void> {
    const signal = this.#stop.signal;
    const { maxAttempts, timeoutMs } = this.#settings;
    try {
      await sleep(this.#latency(), undefined, { signal });
      for (let attempt = 1; attempt <= maxAttempts; attempt++) {
        record.state = 'delivering';
        const started = Date.now();
        const outcome = await this.#post(record, secret, body, timeoutMs);
        record.attempts.push({ at: new Date(started).toISOString(), ...outcome });
        if (outcome.status !== undefined && outcome.status >= 200 && outcome.status < 300) {
          record.state = 'delivered';
          this.#logger.debug({ deliveryId: record.id, attempt }, 'webhook delivered');
          return;
        }
        this.#logger.warn(
          { deliveryId: record.id, attempt, maxAttempts, ...outcome },
          'webhook delivery failed',
        );
        if (attempt === maxAttempts) break;
        await sleep(this.#backoff(attempt), undefined, { signal });
      }
      record.state = 'failed';
    } catch (error) {
      // Only closing the emulator aborts a delivery; leave its record as is.
      if (!signal.aborted) throw error;
    }
  }

  async #post(
    record: DeliveryRecord,
    secret: string,
    body: string,
    timeoutMs: number,
  ): Promise<{ status?: number; error?: string }> {
    const timestamp = new Date();
    const signature = new Webhook(secret).sign(record.messageId, timestamp, body);
    try {
      const response = await request(record.endpointUrl, {
        method: 'POST',
        dispatcher: this.#agent,
        body,
        headers: {
          'content-type': 'application/json',
          'webhook-id': record.messageId,
          'webhook-timestamp': String(Math.floor(timestamp.getTime() / 1000)),
          'webhook-signature': signature,
        },
        signal: AbortSignal.any([this.#stop.signal, AbortSignal.timeout(timeoutMs)]),
      });
      await response.body.dump();
      return { status: response.statusCode };
    } catch (error) {
      if (this.#stop.signal.aborted) throw error;
      return { error: toError(error).message };
    }
  }

  #latency(): number {
    const { delayMs } = this.#settings;
    if (typeof delayMs === 'number') return delayMs;
    return this.#random.int(delayMs.min, delayMs.max);
  }

  #backoff(attempt: number): number {
    const { backoffMs, maxBackoffMs } = this.#settings;
    return Math.min(maxBackoffMs, backoffMs * 2 ** (attempt - 1));
  }
}
