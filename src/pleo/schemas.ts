/**
 * zod schemas for what crosses the boundary with Pleo's Export API v3.
 *
 * Reading is tolerant: unknown fields pass through and unknown enum values are
 * kept as strings, because Pleo may add both at any time. Only what the product
 * cannot work without (`id`, `status`, a real `createdAt`) makes a record
 * invalid.
 */
import { z } from 'zod';
import { parseInstant } from './instant.js';

export const JOB_STATUSES = [
  'pending',
  'in_progress',
  'failed',
  'completed',
  'completed_with_errors',
] as const;
export type KnownJobStatus = (typeof JOB_STATUSES)[number];
/** A job status; statuses Pleo adds later arrive as other strings. */
export type JobStatus = KnownJobStatus | (string & {});

export const ELIGIBLE_STATUSES = ['pending', 'in_progress'] as const;
export const TERMINAL_STATUSES = ['failed', 'completed', 'completed_with_errors'] as const;

export const JOB_EVENTS = ['started', 'completed', 'completed_with_errors', 'failed'] as const;
export type JobEvent = (typeof JOB_EVENTS)[number];

export const FAILURE_REASON_TYPES = [
  'invalid_configuration',
  'missing_configuration',
  'authentication_failure',
  'accounting_system_authentication_failure',
  'pleo_rate_limit',
  'accounting_system_rate_limit',
  'service_unreachable',
  'accounting_system_unreachable',
  'validation_failure',
  'authorization_failure',
  'integration_unusable',
  'job_expired',
  'service_timeout',
  'accounting_system_timeout',
  'canceled_by_user',
] as const;
export type FailureReasonType = (typeof FAILURE_REASON_TYPES)[number];

export const ITEM_STATUSES = [
  'pending',
  'in_progress',
  'failed',
  'successful',
  'abandoned',
] as const;
export type ItemStatus = (typeof ITEM_STATUSES)[number];

/** An optional field whose wrong type must not make the whole record unusable. */
const lenient = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

const instantString = z
  .string()
  .refine((text) => parseInstant(text) !== undefined, 'not an ISO 8601 instant');

export const ExportJobSchema = z.looseObject({
  id: z.string().min(1),
  companyId: lenient(z.string()),
  status: z.string().min(1) as z.ZodType<JobStatus>,
  createdAt: instantString,
  expiresIn: lenient(z.number()),
  isInteractive: lenient(z.boolean()),
  numberOfItems: lenient(z.number()),
  vendorBasedBookkeeping: lenient(z.boolean()),
  startedAt: lenient(z.string().nullable()),
  completedAt: lenient(z.string().nullable()),
  expiredAt: lenient(z.string().nullable()),
  lastUpdatedAt: lenient(z.string().nullable()),
  createdBy: lenient(z.string().nullable()),
  failureReason: lenient(z.string().nullable()),
  failureReasonType: lenient(z.string().nullable()),
});
export type ExportJob = z.infer<typeof ExportJobSchema>;

export const PaginationSchema = z.looseObject({
  hasNextPage: z.boolean(),
  hasPreviousPage: lenient(z.boolean()),
  startCursor: lenient(z.string().nullable()),
  endCursor: lenient(z.string().nullable()),
  total: lenient(z.number()),
});
export type Pagination = z.infer<typeof PaginationSchema>;

/** A page whose records are checked one by one, so one bad record skips only itself. */
export const PageSchema = z.looseObject({
  data: z.array(z.unknown()),
  pagination: PaginationSchema,
});

export const JobEnvelopeSchema = z.looseObject({ data: ExportJobSchema });

export const JobEventBodySchema = z.strictObject({
  event: z.enum(JOB_EVENTS),
  jobId: z.uuid(),
  failureReason: z.string().max(2000).optional(),
  failureReasonType: z.enum(FAILURE_REASON_TYPES).optional(),
});
export type JobEventBody = z.infer<typeof JobEventBodySchema>;

export const ErrorBodySchema = z.looseObject({
  type: z.string(),
  message: z.string().optional(),
});
export const INVALID_STATUS_CHANGE = 'INVALID_EXPORT_JOB_STATUS_CHANGE';

export const ExportJobItemSchema = z.looseObject({
  accountingEntryId: z.string(),
  exportJobId: lenient(z.string()),
  status: z.string(),
  externalId: lenient(z.string().nullable()),
  externalUrl: lenient(z.string().nullable()),
  failureReason: lenient(z.string().nullable()),
  failureReasonType: lenient(z.string().nullable()),
});
export type ExportJobItem = z.infer<typeof ExportJobItemSchema>;

export const ItemUpdateSchema = z.strictObject({
  accountingEntryId: z.uuid(),
  status: z.enum(ITEM_STATUSES),
  exportedAt: z.string().optional(),
  externalId: z.string().optional(),
  externalUrl: z.string().optional(),
  failureReason: z.string().optional(),
  failureReasonType: z.string().optional(),
});
export type ItemUpdate = z.infer<typeof ItemUpdateSchema>;
export const MAX_ITEMS_PER_UPDATE = 100;

export const ItemUpdateErrorSchema = z.looseObject({
  accountingEntryId: z.string(),
  type: z.string(),
  message: z.string().optional(),
});
export const ItemUpdateResponseSchema = z.looseObject({
  data: z.array(ExportJobItemSchema),
  errors: z.array(ItemUpdateErrorSchema).optional(),
});
export type ItemUpdateResponse = z.infer<typeof ItemUpdateResponseSchema>;

const MoneySchema = z.looseObject({ currency: z.string(), value: z.number() });
const AmountSchema = z.looseObject({
  inSupplierCurrency: MoneySchema.optional(),
  inWalletCurrency: MoneySchema.optional(),
});

const optionalString = z.string().optional();

const AccountSchema = z.looseObject({
  id: optionalString,
  name: optionalString,
  code: optionalString,
});
const TaxSchema = z.looseObject({
  code: optionalString,
  rate: z.number().optional(),
  amount: AmountSchema.optional(),
});
const EntryLineSchema = z.looseObject({
  accountingEntryLineId: optionalString,
  lineAmount: AmountSchema.optional(),
  netAmount: AmountSchema.optional(),
  account: AccountSchema.nullish(),
  tax: TaxSchema.nullish(),
});
const SupplierSchema = z.looseObject({ name: optionalString, country: optionalString });

/** The accounting data of one export item (amounts in minor units). */
export const ExportItemSchema = z.looseObject({
  accountingEntryId: z.string(),
  companyId: lenient(z.string()),
  type: lenient(z.string()),
  date: lenient(z.string()),
  note: lenient(z.string().nullable()),
  amount: lenient(AmountSchema),
  accountingEntryLines: lenient(z.array(EntryLineSchema)),
  supplier: lenient(SupplierSchema.nullable()),
});
export type ExportItem = z.infer<typeof ExportItemSchema>;

/** The body of an `export-job.created` webhook, with or without the `payload` wrapper. */
export const WebhookEventSchema = z.looseObject({
  eventId: lenient(z.string()),
  eventType: z.string(),
  data: z.looseObject({
    id: z.string().min(1),
    companyId: lenient(z.string()),
  }),
});
export type WebhookEvent = z.infer<typeof WebhookEventSchema>;
export const WEBHOOK_JOB_CREATED_TYPES = ['v1.export-job.created', 'export-job.created'] as const;

export const SubscriptionSchema = z.looseObject({
  id: z.string(),
  endpointUrl: z.string(),
  eventTypes: z.array(z.string()),
});
export type Subscription = z.infer<typeof SubscriptionSchema>;
