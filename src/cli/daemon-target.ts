/**
 * What the daemon needs of an orchestrator, for one company or many: one
 * shape, so the HTTP routes, the webhook and the signal handling are written
 * once.
 */
import type { ExportOrchestrator } from '../orchestrator/orchestrator.js';
import type { MultiCompanyOrchestrator } from '../orchestrator/multi-orchestrator.js';
import type {
  FailureInfo,
  OrchestratorEvent,
  OrchestratorStatus,
  TriggerSource,
} from '../orchestrator/types.js';

export interface DaemonTarget {
  /** `companyId` routes to one lane; an unknown company returns `unknown`. */
  trigger(source: TriggerSource, companyId?: string): boolean | 'unknown';
  adopt(jobId: string): boolean;
  status(): unknown;
  healthy(): boolean;
  subscribe(listener: (event: OrchestratorEvent) => void): () => void;
  /** Lanes whose failure stops them; the daemon exits once every lane has. */
  fatalLanes(): Array<{ companyId: string | undefined; error: FailureInfo | null }>;
  laneCount(): number;
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export function singleTarget(orchestrator: ExportOrchestrator): DaemonTarget {
  const fatal = (status: OrchestratorStatus) => status.state === 'fatal';
  return {
    trigger: (source) => orchestrator.trigger(source),
    adopt: (jobId) => orchestrator.adopt(jobId),
    status: () => orchestrator.status(),
    healthy: () => {
      const status = orchestrator.status();
      return status.running && !fatal(status);
    },
    subscribe: (listener) => orchestrator.subscribe(listener),
    fatalLanes: () => {
      const status = orchestrator.status();
      return fatal(status) ? [{ companyId: status.companyId, error: status.lastFailure }] : [];
    },
    laneCount: () => 1,
    settled: async () => {
      await orchestrator.settled();
    },
    stop: () => orchestrator.stop(),
  };
}

export function multiTarget(orchestrator: MultiCompanyOrchestrator): DaemonTarget {
  const lanes = () => orchestrator.status().lanes;
  return {
    trigger: (source, companyId) => {
      if (companyId !== undefined && !orchestrator.companies().includes(companyId)) {
        return 'unknown';
      }
      return orchestrator.trigger(source, companyId);
    },
    adopt: (jobId) => {
      const lane = lanes().find((status) => status.unknownClaims.includes(jobId));
      return lane?.companyId ? orchestrator.adopt(lane.companyId, jobId) : false;
    },
    status: () => orchestrator.status(),
    healthy: () => lanes().some((lane) => lane.running && lane.state !== 'fatal'),
    subscribe: (listener) => orchestrator.subscribe(listener),
    fatalLanes: () =>
      lanes()
        .filter((lane) => lane.state === 'fatal')
        .map((lane) => ({ companyId: lane.companyId, error: lane.lastFailure })),
    laneCount: () => orchestrator.companies().length,
    settled: async () => {
      await orchestrator.settled();
    },
    stop: () => orchestrator.stop(),
  };
}
