/**
 * A local emulator of Pleo's Export API v3, for development and contract
 * tests: a real HTTP server with jobs, items, webhooks, auth, a controllable
 * clock and fault injection. It never sits on a production path: the library
 * does not import it.
 *
 * @example
 * import { startEmulator } from 'pleo-export-orchestrator/emulator';
 *
 * const emulator = await startEmulator({ seed: 7 });
 * const job = emulator.createJob({ numberOfItems: 2 });
 * const res = await fetch(`${emulator.url}/v3/export-jobs/${job.id}`, {
 *   headers: { authorization: `Bearer ${emulator.token}` },
 * });
 * await emulator.close();
 */
import type { Emulator } from './emulator-api.js';
import { EmulatorInstance } from './emulator.js';
import type { EmulatorOptions } from './options.js';

/**
 * Starts an emulator on `127.0.0.1` and a free port (unless told otherwise)
 * and resolves once it listens. Close it with `emulator.close()`.
 */
export function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return EmulatorInstance.start(options);
}

export type { Emulator, SubscribeOptions, SubscriptionInfo } from './emulator-api.js';
export type { EmulatorOptions, ConflictStatus } from './options.js';
export { DEFAULT_COMPANY_ID, DEFAULT_PAGE_SIZE } from './options.js';
export type { TokenSpec } from './auth.js';
export type { TimeSource } from './clock.js';
export type { Job } from './job.js';
export type { JobItem, ItemUpdateError, EventResult } from './store.js';
export type { CreateJobInput } from './job-input.js';
export type { ExportItemRecord, ExportItemLine, Amount, Money } from './accounting-data.js';
export type { Fault, FaultSpec, FaultKind, FaultRoute, RouteName } from './faults.js';
export { FAULT_ROUTES } from './faults.js';
export type { RecordedRequest, RequestFilter, RequestOutcome } from './request-log.js';
export type {
  WebhookSettings,
  DeliveryRecord,
  DeliveryAttempt,
  DeliveryState,
} from './delivery-log.js';
export { MAX_PAGE_SIZE } from './paging.js';
export { CONTROL_PREFIX } from './control.js';
export { EVENT_ACCEPTED_MESSAGE } from './routes/job-events.js';
export { seedDemo, DEMO_COMPANIES } from './demo.js';
