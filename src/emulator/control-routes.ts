/**
 * The control surface's routes, each a thin wrapper over the programmatic
 * API, so the two cannot drift apart.
 */
import { z } from 'zod';
import { JobEventBodySchema } from '../pleo/schemas.js';
import type { Emulator } from './emulator-api.js';
import { FAULT_ROUTES, FaultSchema } from './faults.js';
import { CreateJobInputSchema } from './job-input.js';
import type { ApiResponse } from './http-io.js';
import { badRequest, notFound } from './problem.js';
import type { RequestFilter } from './request-log.js';

export interface ControlInput {
  query: URLSearchParams;
  params: Record<string, string>;
  /** The parsed JSON body; throws the 400 when it is missing or broken. */
  body: () => unknown;
  /** The parsed JSON body, or `{}` when the request had none. */
  optionalBody: () => unknown;
}

export interface ControlRoute {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** The path after the control prefix. */
  pattern: string;
  run: (emulator: Emulator, input: ControlInput) => ApiResponse;
}

const ok = (body: unknown): ApiResponse => ({ status: 200, body });
const created = (data: unknown): ApiResponse => ({ status: 201, body: { data } });
const NO_CONTENT: ApiResponse = { status: 204 };

const ClockBody = z.strictObject({ advanceMs: z.number().nonnegative() });
const TokenBody = z.strictObject({
  token: z.string().min(1),
  companyIds: z.array(z.string()).optional(),
  label: z.string().optional(),
});
const SubscribeBody = z.strictObject({
  endpointUrl: z.string(),
  secret: z.string().optional(),
  eventTypes: z.array(z.string()).optional(),
});
const RequestQuery = z.strictObject({
  route: z.enum([...FAULT_ROUTES.filter((r) => r !== '*'), 'unknown']).optional(),
  method: z.string().optional(),
  path: z.string().optional(),
  jobId: z.string().optional(),
  status: z.coerce.number().int().optional(),
  outcome: z.enum(['pending', 'answered', 'reset', 'hung', 'clientClosed']).optional(),
});

function state(e: Emulator): ApiResponse {
  return ok({
    url: e.url,
    now: e.now().toISOString(),
    jobs: e.jobs(),
    faults: e.faults(),
    // Secrets are read one at a time (POST answers or the Pleo route), not in bulk.
    subscriptions: e.subscriptions().map(({ secret: _secret, ...rest }) => rest),
    deliveries: e.deliveries(),
    requestCount: e.requests().length,
  });
}

function jobDetail(e: Emulator, { params }: ControlInput): ApiResponse {
  const jobId = params['jobId'] ?? '';
  const job = e.getJob(jobId);
  if (!job) throw notFound('EXPORT_JOB_NOT_FOUND', `No export job with id ${jobId}.`);
  return ok({ data: job, items: e.jobItems(jobId), exportItems: e.exportItems(jobId) });
}

function jobEvent(e: Emulator, input: ControlInput): ApiResponse {
  const result = e.applyJobEvent(parse(JobEventBodySchema, input.body()));
  return { status: result.ok ? 200 : 409, body: result };
}

function requests(e: Emulator, { query }: ControlInput): ApiResponse {
  const filter: RequestFilter = parse(RequestQuery, Object.fromEntries(query));
  return ok({ data: e.requests(filter) });
}

function revoke(e: Emulator, input: ControlInput): ApiResponse {
  const { token } = parse(z.strictObject({ token: z.string() }), input.body());
  if (!e.revokeToken(token)) throw notFound('TOKEN_NOT_FOUND', 'No such active token.');
  return NO_CONTENT;
}

function subscribe(e: Emulator, input: ControlInput): ApiResponse {
  const { endpointUrl, ...options } = parse(SubscribeBody, input.body());
  return created(e.subscribe(endpointUrl, options));
}

export const CONTROL_ROUTES: readonly ControlRoute[] = [
  { method: 'GET', pattern: '/state', run: state },
  { method: 'GET', pattern: '/jobs', run: (e) => ok({ data: e.jobs() }) },
  {
    method: 'POST',
    pattern: '/jobs',
    run: (e, i) => created(e.createJob(parse(CreateJobInputSchema, i.optionalBody()))),
  },
  { method: 'GET', pattern: '/jobs/:jobId', run: jobDetail },
  { method: 'POST', pattern: '/job-events', run: jobEvent },
  { method: 'GET', pattern: '/requests', run: requests },
  {
    method: 'DELETE',
    pattern: '/requests',
    run: (e) => {
      e.clearRequests();
      return NO_CONTENT;
    },
  },
  {
    method: 'POST',
    pattern: '/reset',
    run: (e) => {
      e.reset();
      return NO_CONTENT;
    },
  },
  { method: 'GET', pattern: '/faults', run: (e) => ok({ data: e.faults() }) },
  {
    method: 'PUT',
    pattern: '/faults',
    run: (e, i) => {
      e.setFaults(parse(z.array(FaultSchema), i.body()));
      return ok({ data: e.faults() });
    },
  },
  {
    method: 'POST',
    pattern: '/faults',
    run: (e, i) => {
      e.addFault(parse(FaultSchema, i.body()));
      return ok({ data: e.faults() });
    },
  },
  {
    method: 'DELETE',
    pattern: '/faults',
    run: (e) => {
      e.clearFaults();
      return NO_CONTENT;
    },
  },
  { method: 'GET', pattern: '/clock', run: (e) => ok({ now: e.now().toISOString() }) },
  {
    method: 'POST',
    pattern: '/clock',
    run: (e, i) => {
      const { advanceMs } = parse(ClockBody, i.body());
      return ok({ now: e.advanceClock(advanceMs).toISOString() });
    },
  },
  { method: 'GET', pattern: '/deliveries', run: (e) => ok({ data: e.deliveries() }) },
  { method: 'POST', pattern: '/subscriptions', run: subscribe },
  {
    method: 'POST',
    pattern: '/tokens',
    run: (e, i) => {
      e.addToken(parse(TokenBody, i.body()));
      return NO_CONTENT;
    },
  },
  { method: 'POST', pattern: '/tokens/revoke', run: revoke },
];

function parse<T extends z.ZodType>(schema: T, value: unknown): z.output<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw badRequest('VALIDATION_ERROR', z.prettifyError(parsed.error));
  return parsed.data;
}
