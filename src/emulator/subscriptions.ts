/**
 * Webhook subscriptions: where to deliver which events, and the secret each
 * delivery is signed with.
 */
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import type { Random } from './random.js';

export interface SubscriptionRecord {
  id: string;
  endpointUrl: string;
  eventTypes: string[];
  /** `whsec_` and the base64 key, as Standard Webhooks libraries expect. */
  secret: string;
  /** Events of only these companies; all when undefined. */
  companyIds: ReadonlySet<string> | undefined;
  createdAt: string;
}

export interface NewSubscription {
  endpointUrl: string;
  eventTypes: readonly string[];
  secret?: string;
  companyIds?: ReadonlySet<string> | undefined;
}

export class SubscriptionRegistry {
  readonly #subscriptions = new Map<string, SubscriptionRecord>();
  readonly #random: Random;
  readonly #now: () => string;

  constructor(random: Random, now: () => string) {
    this.#random = random;
    this.#now = now;
  }

  add(input: NewSubscription): SubscriptionRecord {
    if (input.secret !== undefined) assertUsableSecret(input.secret);
    const record: SubscriptionRecord = {
      id: this.#random.uuid(),
      endpointUrl: input.endpointUrl,
      eventTypes: [...input.eventTypes],
      // The secret comes from node:crypto, not the seeded PRNG: it guards the
      // receiver, and replaying a test never depends on its value.
      secret: input.secret ?? `whsec_${randomBytes(24).toString('base64')}`,
      companyIds: input.companyIds,
      createdAt: this.#now(),
    };
    this.#subscriptions.set(record.id, record);
    return record;
  }

  get(id: string): SubscriptionRecord | undefined {
    return this.#subscriptions.get(id);
  }

  remove(id: string): boolean {
    return this.#subscriptions.delete(id);
  }

  list(): SubscriptionRecord[] {
    return [...this.#subscriptions.values()];
  }
}

/** What the API shows of a subscription: everything but the secret. */
export function publicSubscription(record: SubscriptionRecord): {
  id: string;
  endpointUrl: string;
  eventTypes: string[];
  createdAt: string;
} {
  const { id, endpointUrl, eventTypes, createdAt } = record;
  return { id, endpointUrl, eventTypes: [...eventTypes], createdAt };
}

/**
 * Why an endpoint URL is refused, or undefined when it is fine. Unless told
 * otherwise the emulator delivers to loopback hosts only: it is a local tool
 * and must not post data to the network.
 */
export function endpointProblem(url: string, allowRemote: boolean): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `endpointUrl '${url}' is not a URL.`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `endpointUrl must use http or https; got '${parsed.protocol}'.`;
  }
  if (!allowRemote && !isLoopback(parsed.hostname)) {
    return `endpointUrl must point at a loopback host; got '${parsed.hostname}'.`;
  }
  return undefined;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/** Refuses a secret the signing library cannot use, before any delivery needs it. */
function assertUsableSecret(secret: string): void {
  const key = secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret;
  if (key === '' || !/^[A-Za-z0-9+/]+={0,2}$/.test(key)) {
    throw new TypeError('A webhook secret must be whsec_ followed by base64.');
  }
  // The library decodes the key here; a key it rejects fails now, not mid-delivery.
  new Webhook(secret);
}
