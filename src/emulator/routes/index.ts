/**
 * The Pleo routes the emulator serves, by method and path.
 */
import type { RouteDef } from '../router.js';
import { postJobEvent } from './job-events.js';
import { getJob, listJobs } from './jobs.js';
import { getExportItems, getJobItems, putJobItems } from './items.js';
import {
  createSubscription,
  deleteSubscription,
  getSubscriptionSecret,
  listSubscriptions,
} from './subscriptions.js';

const route = (
  name: RouteDef['name'],
  method: RouteDef['method'],
  pattern: string,
  handler: RouteDef['handler'],
): RouteDef => ({ name, method, pattern, handler });

const JOB = '/v3/export-jobs/:jobId';
const SUBSCRIPTION = '/v1/subscriptions/:subscriptionId';

export const PLEO_ROUTES: readonly RouteDef[] = [
  route('listJobs', 'GET', '/v3/export-jobs', listJobs),
  route('getJob', 'GET', JOB, getJob),
  route('jobEvents', 'POST', '/v3/export-job-events', postJobEvent),
  route('getItems', 'GET', `${JOB}/items`, getJobItems),
  route('putItems', 'PUT', `${JOB}/items`, putJobItems),
  route('exportItems', 'GET', '/v3/export-items', getExportItems),
  route('subscriptions', 'POST', '/v1/subscriptions', createSubscription),
  route('subscriptions', 'GET', '/v1/subscriptions', listSubscriptions),
  route('subscriptions', 'GET', `${SUBSCRIPTION}/secret`, getSubscriptionSecret),
  route('subscriptions', 'DELETE', SUBSCRIPTION, deleteSubscription),
];
