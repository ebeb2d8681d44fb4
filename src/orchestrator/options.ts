/**
 * The options of `createExportOrchestrator`, checked with zod so that a bad
 * value fails at once with an error naming the option.
 */
import { validate as isValidCron } from 'node-cron';
import type { Dispatcher } from 'undici';
import type { Logger } from 'pino';
import type { InspectionEvent } from 'xstate';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { PleoCredentials } from '../pleo/credentials.js';
import type { StateStore } from '../persistence/state-store.js';
import type { PreCheckFn, Processor } from './types.js';

const isFunction = (value: unknown) => typeof value === 'function';

const credentialsSchema = z.union([
  z.strictObject({ token: z.string().min(1, 'must not be empty') }),
  z.strictObject({ apiKey: z.string().min(1, 'must not be empty') }),
  z.custom<() => PleoCredentials | Promise<PleoCredentials>>(isFunction),
]);

const companySchema = z.union([
  z.string().min(1),
  z.strictObject({ companyId: z.string().min(1), credentials: credentialsSchema.optional() }),
]);
export type CompanySpec = z.input<typeof companySchema>;

export const OptionsSchema = z.strictObject({
  /** Base URL of Pleo's API, e.g. `https://external.pleo.io`. */
  apiUrl: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  /** Company-level credentials, or organisation-level ones shared by `companies`. */
  credentials: credentialsSchema.optional(),
  /** The company to export; needed with organisation-level credentials. */
  companyId: z.string().min(1).optional(),
  /** Many companies, one lane each: ids, or ids with their own credentials. */
  companies: z.array(companySchema).optional(),
  /** Resolves a company's credentials on demand (called before each request). */
  credentialsFor: z
    .custom<(companyId: string) => PleoCredentials | Promise<PleoCredentials>>(isFunction)
    .optional(),
  /** Requests to Pleo in flight at once across all companies. */
  maxConcurrentRequests: z.number().int().min(1).max(256).default(8),
  /** Cron expression of the fallback poll, or `false` for none. Default every 5 minutes. */
  schedule: z
    .union([z.literal(false), z.string().refine(isValidCron, 'is not a valid cron expression')])
    .default('*/5 * * * *'),
  /** Detect once as soon as `start()` is called. Default true. */
  detectOnStart: z.boolean().default(true),
  preChecks: z
    .array(
      z.union([
        z.custom<PreCheckFn>(isFunction),
        z.object({ name: z.string().min(1), check: z.custom<PreCheckFn>(isFunction) }),
      ]),
    )
    .default([]),
  processor: z.custom<Processor>(isFunction, 'must be a function').optional(),
  /** Wait while another worker's job of the company is `in_progress`. */
  exclusive: z.boolean().default(false),
  /** This orchestrator is the company's only worker: an ambiguous claim is ours. */
  soleWorker: z.boolean().default(false),
  store: z.custom<StateStore>((v) => typeof v === 'object' && v !== null).optional(),
  /** Directory of the default file store; ignored when `store` is given. */
  stateDir: z.string().min(1).optional(),
  logger: z.custom<Logger>((v) => typeof v === 'object' && v !== null).optional(),
  requestTimeoutMs: z.number().int().positive().max(600_000).default(10_000),
  /** `limit` of each page when listing jobs (1–100). */
  pageSize: z.number().int().min(1).max(100).default(100),
  /** Retries of idempotent reads: attempts and backoff bounds. */
  retry: z
    .strictObject({
      maxAttempts: z.number().int().min(1).max(20).optional(),
      baseDelayMs: z.number().int().nonnegative().optional(),
      maxDelayMs: z.number().int().nonnegative().optional(),
      maxRetryAfterMs: z.number().int().nonnegative().optional(),
    })
    .optional(),
  /** How long a job lost in a claim race is left alone. */
  conflictExclusionMs: z.number().int().nonnegative().default(10 * 60_000),
  /**
   * Least time between the starts of two trigger-driven detections: a storm
   * of webhooks costs one detection per gap. 0 detects on every trigger.
   */
  minDetectionGapMs: z.number().int().nonnegative().max(600_000).default(1_000),
  /**
   * While draining a backlog, how long one listing may supply the next job
   * (oldest first) before listing again. 0 lists again after every job.
   */
  listingReuseMs: z.number().int().nonnegative().max(600_000).default(30_000),
  /** Bounds of the jittered pause after a lost claim race. */
  conflictBackoffMs: z
    .object({ min: z.number().int().nonnegative(), max: z.number().int().nonnegative() })
    .refine((v) => v.max >= v.min, 'max must not be below min')
    .default({ min: 250, max: 1_000 }),
  /** Backoff after a failed detection or report: base doubles per attempt up to max. */
  retryBackoffMs: z
    .object({ base: z.number().int().positive(), max: z.number().int().positive() })
    .default({ base: 1_000, max: 300_000 }),
  /** Time limit of each pre-check; 0 for none. */
  preCheckTimeoutMs: z.number().int().nonnegative().default(60_000),
  /**
   * Time limit of the processor; past it the job is aborted and reported
   * `failed` (`accounting_system_timeout`). 0 for none.
   */
  processorTimeoutMs: z.number().int().nonnegative().default(3_600_000),
  /** How long `stop()` lets a running processor finish before aborting it. */
  shutdownGraceMs: z.number().int().nonnegative().default(30_000),
  dispatcher: z.custom<Dispatcher>((v) => typeof v === 'object' && v !== null).optional(),
  userAgent: z.string().optional(),
  /**
   * The Stately inspector, off by default. `true` (or `{ port }`) starts a
   * relay on 127.0.0.1 and logs the page to open; a function receives the
   * raw inspection stream instead.
   */
  inspect: z
    .union([
      z.boolean(),
      z.strictObject({ port: z.number().int().min(0).max(65_535).optional() }),
      z.custom<(event: InspectionEvent) => void>(isFunction),
    ])
    .default(false),
  /** Called for every HTTP request made to Pleo (benchmarks count them). */
  onRequest: z.custom<(info: unknown) => void>(isFunction).optional(),
});

export type OrchestratorOptions = z.input<typeof OptionsSchema>;
export type ResolvedOptions = z.output<typeof OptionsSchema>;

const CheckedOptionsSchema = OptionsSchema.superRefine((options, context) => {
  if (options.companies === undefined) {
    if (options.credentials === undefined) {
      context.addIssue({ code: 'custom', path: ['credentials'], message: 'is required' });
    }
    return;
  }
  if (options.companyId !== undefined) {
    context.addIssue({
      code: 'custom',
      path: ['companyId'],
      message: 'cannot be combined with companies',
    });
  }
  options.companies.forEach((company, index) => {
    const own = typeof company === 'object' && company.credentials !== undefined;
    if (own || options.credentialsFor || options.credentials) return;
    context.addIssue({
      code: 'custom',
      path: ['companies', index],
      message: 'has no credentials (give credentials, credentialsFor, or its own)',
    });
  });
});

/** Validates options, throwing a {@link ConfigError} that names each bad option. */
export function parseOptions(options: unknown): ResolvedOptions {
  const parsed = CheckedOptionsSchema.safeParse(options);
  if (parsed.success) return parsed.data;
  throw new ConfigError(`Invalid orchestrator options: ${describeIssues(parsed.error)}`);
}

/** One line per issue, each naming the option's path. Never echoes values. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const where = issue.path.length > 0 ? issue.path.join('.') : '(options)';
      const message = issue.code === 'unrecognized_keys'
        ? `unknown option(s) ${issue.keys.join(', ')}`
        : issue.message;
      return `'${where}' ${message}`;
    })
    .join('; ');
}
