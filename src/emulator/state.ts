/**
 * Everything the emulator remembers, built from the options. `reset()`
 * throws the whole state away and builds a fresh one, so nothing can be
 * forgotten when the state grows a new part.
 */
import { TokenRegistry } from './auth.js';
import type { Clock } from './clock.js';
import { FaultBook } from './faults.js';
import type { ResolvedOptions } from './options.js';
import { createRandom, hashSeed } from './random.js';
import { RequestLog } from './request-log.js';
import { JobStore } from './store.js';
import { SubscriptionRegistry } from './subscriptions.js';
import { WebhookDispatcher } from './webhook-delivery.js';

export interface EmulatorState {
  store: JobStore;
  faults: FaultBook;
  requests: RequestLog;
  tokens: TokenRegistry;
  subscriptions: SubscriptionRegistry;
  webhooks: WebhookDispatcher;
}

/** The label `requests()` shows for the token given as `options.token`. */
export const DEFAULT_TOKEN_LABEL = 'default';

export function createState(options: ResolvedOptions, clock: Clock): EmulatorState {
  // One stream per concern: adding a fault must not change the next job id.
  const stream = (name: string) => createRandom(hashSeed(options.seed, name));

  const tokens = new TokenRegistry();
  tokens.add({ token: options.token, label: DEFAULT_TOKEN_LABEL });
  for (const spec of options.tokens) tokens.add(spec);

  return {
    store: new JobStore({
      clock,
      random: stream('jobs'),
      defaultCompanyId: options.defaultCompanyId,
      defaultExpiresIn: options.defaultExpiresIn,
      expireJobs: options.expireJobs,
    }),
    faults: new FaultBook(stream('faults'), options.faults),
    requests: new RequestLog(),
    tokens,
    subscriptions: new SubscriptionRegistry(stream('subscriptions'), clock.iso),
    webhooks: new WebhookDispatcher(options.webhooks, stream('webhooks'), options.logger),
  };
}
