/**
 * pleo-export-orchestrator: detect, select, pre-check and claim Pleo export
 * jobs one at a time, then hand each to the integration's processor.
 *
 * @example
 * import { createExportOrchestrator } from 'pleo-export-orchestrator';
 *
 * const orchestrator = createExportOrchestrator({
 *   apiUrl: 'https://external.pleo.io',
 *   credentials: { token: process.env.PLEO_API_TOKEN! },
 *   companyId: process.env.PLEO_COMPANY_ID,
 *   preChecks: [{ name: 'erp reachable', check: async () => erp.ping() }],
 *   processor: async (job, { client, signal }) => {
 *     const items = await client.listExportItems(job.id, { signal });
 *     await erp.book(items);
 *     return { status: 'completed' };
 *   },
 * });
 * await orchestrator.start();
 */
export {
  createExportOrchestrator,
  ExportOrchestrator,
} from './orchestrator/orchestrator.js';
export type { OrchestratorOptions } from './orchestrator/options.js';
export type {
  JobOutcome,
  LifecycleEvent,
  OrchestratorEvent,
  OrchestratorStatus,
  PreCheck,
  PreCheckFn,
  PreCheckVerdict,
  Processor,
  StepContext,
  TriggerSource,
  HeldJob,
  FailureInfo,
} from './orchestrator/types.js';

export { exportJobMachine } from '../machines/export-job.machine.js';
export { selectJob, sortOldestFirst, type Selection, type SelectionInput } from './selection.js';

export { createPleoClient, PleoClient } from './pleo/client.js';
export type { PleoClientOptions } from './pleo/client-options.js';
export type { PleoCredentials } from './pleo/credentials.js';
export { parseInstant, compareInstants, type Instant } from './pleo/instant.js';
export type {
  ExportJob,
  ExportItem,
  ExportJobItem,
  ItemUpdate,
  JobStatus,
  FailureReasonType,
} from './pleo/schemas.js';

export { FileStateStore } from './persistence/file-state-store.js';
export {
  MemoryStateStore,
  type StateStore,
  type StoredState,
} from './persistence/state-store.js';

export {
  createWebhookHandler,
  type JobCreatedEvent,
  type WebhookAuth,
  type WebhookHandler,
  type WebhookHandlerOptions,
  type WebhookRequest,
  type WebhookResponse,
} from './triggers/webhook.js';
export { createNodeWebhookHandler, type NodeWebhookHandler } from './triggers/webhook-node.js';
export type { DedupeOptions } from './triggers/dedupe-cache.js';

export { createLogger, type LoggerOptions } from './logger.js';
export { createDemoProcessor } from './sandbox/demo-processor.js';
export * from './errors.js';
