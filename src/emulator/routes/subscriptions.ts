/**
 * Pleo's webhook subscription calls: create, read the signing secret, delete.
 * A subscription made with a company-bound credential hears only about
 * those companies' jobs.
 */
import { z } from 'zod';
import { parseJsonBody, type ApiResponse } from '../http-io.js';
import { badRequest, notFound } from '../problem.js';
import type { RouteContext } from '../router.js';
import {
  endpointProblem,
  publicSubscription,
  type SubscriptionRecord,
} from '../subscriptions.js';
import { validate } from './common.js';

const NewSubscriptionSchema = z.object({
  endpointUrl: z.string().min(1),
  eventTypes: z.array(z.string().min(1)).min(1),
});

export function createSubscription(context: RouteContext): ApiResponse {
  const raw = parseJsonBody(context.contentType, context.rawBody);
  const body = validate(NewSubscriptionSchema, raw, 'subscription');
  const problem = endpointProblem(body.endpointUrl, context.options.allowRemoteWebhooks);
  if (problem) throw badRequest('INVALID_ENDPOINT_URL', problem);

  const record = context.state.subscriptions.add({
    endpointUrl: body.endpointUrl,
    eventTypes: body.eventTypes,
    companyIds: context.identity.companyIds,
  });
  return { status: 201, body: { data: publicSubscription(record) } };
}

export function listSubscriptions(context: RouteContext): ApiResponse {
  const data = context.state.subscriptions.list().map(publicSubscription);
  return { status: 200, body: { data } };
}

export function getSubscriptionSecret(context: RouteContext): ApiResponse {
  const record = findSubscription(context);
  return { status: 200, body: { data: { secret: record.secret } } };
}

export function deleteSubscription(context: RouteContext): ApiResponse {
  context.state.subscriptions.remove(findSubscription(context).id);
  return { status: 204 };
}

function findSubscription(context: RouteContext): SubscriptionRecord {
  const id = context.params['subscriptionId'] ?? '';
  const record = context.state.subscriptions.get(id);
  if (!record) throw notFound('SUBSCRIPTION_NOT_FOUND', `No subscription with id ${id}.`);
  return record;
}
