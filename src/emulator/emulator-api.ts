/**
 * The handle {@link startEmulator} resolves to: the emulator's URL and token,
 * and the programmatic twin of its control surface.
 */
import type { JobEventBody } from '../pleo/schemas.js';
import type { ExportItemRecord } from './accounting-data.js';
import type { TokenSpec } from './auth.js';
import type { DeliveryRecord } from './delivery-log.js';
import type { Fault, FaultSpec } from './faults.js';
import type { CreateJobInput } from './job-input.js';
import type { Job } from './job.js';
import type { RecordedRequest, RequestFilter } from './request-log.js';
import type { EventResult, JobItem } from './store.js';

/** A webhook subscription as the programmatic API shows it, secret included. */
export interface SubscriptionInfo {
  id: string;
  endpointUrl: string;
  eventTypes: string[];
  secret: string;
}

export interface SubscribeOptions {
  /** The signing secret (`whsec_…`); a random one when absent. */
  secret?: string;
  /** Default `['v1.export-job.created']`. */
  eventTypes?: string[];
}

export interface Emulator {
  /** Base URL, e.g. `http://127.0.0.1:49152`; Pleo paths go after it. */
  readonly url: string;
  readonly port: number;
  /** The organisation-wide bearer token (also usable as a Basic API key). */
  readonly token: string;

  /** Stops serving; cuts every open connection, hung ones included. */
  close(): Promise<void>;

  /**
   * Adds a job as if a user pressed Export in Pleo: generates its items and
   * schedules `v1.export-job.created` webhooks. Throws a TypeError on bad input.
   *
   * @example
   * const job = emulator.createJob({ numberOfItems: 2, expiresIn: 7200 });
   */
  createJob(input?: CreateJobInput): Job;
  /** The job as it is now (expiry applied), or undefined. */
  getJob(id: string): Job | undefined;
  /** Every job in creation order. */
  jobs(): Job[];
  /** The export statuses of a job's items (empty for an unknown job). */
  jobItems(jobId: string): JobItem[];
  /** The accounting data of a job's items (empty for an unknown job). */
  exportItems(jobId: string): ExportItemRecord[];
  /** Applies a job event as another client would, bypassing auth and faults. */
  applyJobEvent(body: JobEventBody): EventResult;

  /** Requests the Pleo routes received, oldest first. */
  requests(filter?: RequestFilter): RecordedRequest[];
  clearRequests(): void;
  /**
   * Back to the state right after start: no jobs, requests, subscriptions
   * or deliveries; faults and tokens as the options set them; the clock's
   * advances dropped; every random stream reseeded.
   */
  reset(): void;

  /** Replaces every fault. Throws a TypeError naming a bad field. */
  setFaults(faults: readonly FaultSpec[]): void;
  addFault(fault: FaultSpec): void;
  clearFaults(): void;
  /** Faults still active, with their remaining `times`. */
  faults(): Fault[];

  /** Subscribes a (loopback) URL to job-created webhooks. */
  subscribe(endpointUrl: string, options?: SubscribeOptions): SubscriptionInfo;
  unsubscribe(id: string): boolean;
  subscriptions(): SubscriptionInfo[];
  /** Every webhook delivery and its attempts, oldest first. */
  deliveries(): DeliveryRecord[];
  /** Resolves once no webhook delivery is scheduled or in flight. */
  settled(): Promise<void>;

  /** Accepts one more credential from now on. */
  addToken(spec: string | TokenSpec): void;
  /** Refuses a credential from now on; false when it was not active. */
  revokeToken(token: string): boolean;

  /** The emulator's current time. */
  now(): Date;
  /** Moves the emulator's clock forward (jobs may expire); returns the new time. */
  advanceClock(ms: number): Date;
}
