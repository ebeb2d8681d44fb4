import { z } from 'zod';
import { FAILURE_REASON_TYPES } from './pleo/schemas.js';

/** An outcome as a host hands it to `finish()` or a processor resolves it. */
export const JobOutcomeSchema = z.discriminatedUnion('status', [
  z.strictObject({ status: z.literal('completed') }),
  z.strictObject({
    status: z.literal('completed_with_errors'),
    failureReason: z.string().max(2000).optional(),
    failureReasonType: z.enum(FAILURE_REASON_TYPES).optional(),
  }),
  z.strictObject({
    status: z.literal('failed'),
    failureReason: z.string().min(1).max(2000),
    failureReasonType: z.enum(FAILURE_REASON_TYPES),
  }),
]);
