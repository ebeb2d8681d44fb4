/**
 * The options of {@link startEmulator} and the defaults the emulator picks
 * where Pleo's documentation is silent (see docs/emulator.md).
 */
import { randomBytes } from 'node:crypto';
import { pino, type Logger } from 'pino';
import type { TokenSpec } from './auth.js';
import type { TimeSource } from './clock.js';
import type { WebhookSettings } from './delivery-log.js';
import type { FaultSpec } from './faults.js';
import { MAX_PAGE_SIZE } from './paging.js';

/** The status of an illegal job status change; Pleo does not document which. */
export type ConflictStatus = 400 | 409 | 422;

export interface EmulatorOptions {
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string;
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /** The organisation-wide token `emulator.token` holds (default: random). */
  token?: string;
  /** More credentials, organisation-wide (a string) or bound to companies. */
  tokens?: ReadonlyArray<string | TokenSpec>;
  /** Status of `INVALID_EXPORT_JOB_STATUS_CHANGE` answers (default 400). */
  conflictStatus?: ConflictStatus;
  /** Page size when a list call sends no `limit` (default 50, at most 100). */
  pageSize?: number;
  /** Seed of every random choice (default 1). */
  seed?: number | string;
  /** The clock's source (default `Date.now`); `advanceClock` adds to it. */
  now?: TimeSource;
  /** Where the emulator logs (default: a silent pino logger). */
  logger?: Logger;
  /** Faults active from the start, and again after each `reset()`. */
  faults?: readonly FaultSpec[];
  webhooks?: WebhookSettings;
  /** The company of jobs created without one. */
  defaultCompanyId?: string;
  /** `expiresIn` of jobs created without one, in seconds (default 3600). */
  defaultExpiresIn?: number;
  /** False keeps old jobs from expiring (default true). */
  expireJobs?: boolean;
  /** Refuse item updates unless the job is `in_progress` (default true). */
  strictItemUpdates?: boolean;
  /** Allow webhook endpoints that are not loopback hosts (default false). */
  allowRemoteWebhooks?: boolean;
}

/** The company of the samples in Pleo's documentation. */
export const DEFAULT_COMPANY_ID = '6f1c2a7e-3b0d-4e55-9a1f-2d8c4b7e9a10';
export const DEFAULT_PAGE_SIZE = 50;

export interface ResolvedOptions {
  host: string;
  port: number;
  token: string;
  tokens: ReadonlyArray<string | TokenSpec>;
  conflictStatus: ConflictStatus;
  pageSize: number;
  seed: number | string;
  now: TimeSource;
  logger: Logger;
  faults: readonly FaultSpec[];
  webhooks: WebhookSettings;
  defaultCompanyId: string;
  defaultExpiresIn: number;
  expireJobs: boolean;
  strictItemUpdates: boolean;
  allowRemoteWebhooks: boolean;
}

/** Fills in defaults; throws a TypeError naming an option with a bad value. */
export function resolveOptions(options: EmulatorOptions = {}): ResolvedOptions {
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    throw new TypeError(
      `pageSize must be an integer from 1 to ${MAX_PAGE_SIZE}; got ${pageSize}.`,
    );
  }
  const conflictStatus = options.conflictStatus ?? 400;
  if (![400, 409, 422].includes(conflictStatus)) {
    throw new TypeError(`conflictStatus must be 400, 409 or 422; got ${conflictStatus}.`);
  }
  return {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? 0,
    token: options.token ?? `emu_${randomBytes(18).toString('base64url')}`,
    tokens: options.tokens ?? [],
    conflictStatus,
    pageSize,
    seed: options.seed ?? 1,
    now: options.now ?? Date.now,
    logger: (options.logger ?? pino({ level: 'silent' })).child({ component: 'emulator' }),
    faults: options.faults ?? [],
    webhooks: options.webhooks ?? {},
    defaultCompanyId: options.defaultCompanyId ?? DEFAULT_COMPANY_ID,
    defaultExpiresIn: options.defaultExpiresIn ?? 3600,
    expireJobs: options.expireJobs ?? true,
    strictItemUpdates: options.strictItemUpdates ?? true,
    allowRemoteWebhooks: options.allowRemoteWebhooks ?? false,
  };
}
