/**
 * The three ways a job gets claimed in the latency benchmark, behind one
 * shape: the product woken by webhooks (the daemon's wiring), the product
 * polling on a cron, and the hand-written baseline polling on an interval.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Emulator } from '../../src/emulator/index.js';
import { createExportOrchestrator } from '../../src/orchestrator/orchestrator.js';
import { FileStateStore } from '../../src/persistence/file-state-store.js';
import { PollingBaseline } from '../baseline.js';
import { productOptions, startWebhookReceiver } from './rig.js';

export type ClaimerSpec =
  | { kind: 'webhook'; gapMs: number; fileStore?: boolean }
  | { kind: 'poll'; gapMs: number; everySeconds: number }
  | { kind: 'baseline'; everyMs: number };

export interface Claimer {
  /** `performance.now()` when the claimer saw its `started` accepted, by job id. */
  claimedAt: Map<string, number>;
  stop(): Promise<void>;
}

export async function startClaimer(spec: ClaimerSpec, emulator: Emulator): Promise<Claimer> {
  const claimedAt = new Map<string, number>();
  if (spec.kind === 'baseline') {
    const baseline = new PollingBaseline({
      apiUrl: emulator.url,
      token: emulator.token,
      intervalMs: spec.everyMs,
      onClaimed: (jobId, at) => claimedAt.set(jobId, at),
    });
    baseline.start();
    return { claimedAt, stop: () => baseline.stop() };
  }

  // The daemon's default store writes and fsyncs a file before each claim.
  const stateDir = spec.kind === 'webhook' && spec.fileStore
    ? await mkdtemp(path.join(tmpdir(), 'pleo-bench-'))
    : undefined;
  const orchestrator = createExportOrchestrator(productOptions(emulator, {
    minDetectionGapMs: spec.gapMs,
    schedule: spec.kind === 'poll' ? `*/${spec.everySeconds} * * * * *` : false,
    ...(stateDir ? { store: new FileStateStore(stateDir) } : {}),
  }));
  orchestrator.subscribe((event) => {
    if (event.type === 'job:claimed') claimedAt.set(event.jobId, performance.now());
  });
  await orchestrator.start();

  const receiver = spec.kind === 'webhook'
    ? await startWebhookReceiver(() => orchestrator.trigger('webhook'))
    : undefined;
  if (receiver) emulator.subscribe(receiver.url, { secret: receiver.secret });

  return {
    claimedAt,
    stop: async () => {
      await orchestrator.stop(1_000);
      await receiver?.close();
      if (stateDir) await rm(stateDir, { recursive: true, force: true });
    },
  };
}

export function describeClaimer(spec: ClaimerSpec): string {
  switch (spec.kind) {
    case 'webhook':
      return `product, webhook, gap ${spec.gapMs} ms${spec.fileStore ? ', file store' : ''}`;
    case 'poll':
      return `product, cron every ${spec.everySeconds} s, gap ${spec.gapMs} ms`;
    case 'baseline':
      return `baseline, setInterval ${spec.everyMs} ms`;
  }
}
