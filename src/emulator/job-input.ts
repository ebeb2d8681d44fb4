/**
 * What `createJob` accepts, checked with zod because the control surface
 * passes it straight from an HTTP body.
 */
import { z } from 'zod';
import { JOB_STATUSES } from '../pleo/schemas.js';
import { parseInstant } from '../pleo/instant.js';

export const CreateJobInputSchema = z.strictObject({
  /** A UUID; a random (seeded) one when absent. */
  id: z.uuid().optional(),
  companyId: z.string().min(1).optional(),
  /** How many export items the job holds (default 3). */
  numberOfItems: z.number().int().min(0).max(10_000).optional(),
  /**
   * When the job was created: any ISO 8601 instant, kept exactly as given so
   * tests can mix offsets and fractions. Defaults to the emulator's clock.
   */
  createdAt: z
    .union([z.string(), z.date()])
    .refine(
      (value) => typeof value !== 'string' || parseInstant(value) !== undefined,
      'createdAt must be an ISO 8601 instant',
    )
    .optional(),
  status: z.enum(JOB_STATUSES).optional(),
  /** Seconds after createdAt when a pending or in_progress job expires. */
  expiresIn: z.number().int().positive().optional(),
  isInteractive: z.boolean().optional(),
  vendorBasedBookkeeping: z.boolean().optional(),
  createdBy: z.string().optional(),
});

/** The fields of a new job; every one is optional. */
export type CreateJobInput = z.input<typeof CreateJobInputSchema>;
