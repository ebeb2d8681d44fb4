/**
 * The pieces every benchmark wires together: an emulator on loopback, the
 * product configured the way a host would, and a daemon-style webhook
 * receiver (node:http + `createNodeWebhookHandler`).
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../src/emulator/index.js';
import type { OrchestratorOptions } from '../../src/orchestrator/options.js';
import { MemoryStateStore } from '../../src/persistence/state-store.js';
import type { JobCreatedEvent } from '../../src/triggers/webhook.js';
import { createNodeWebhookHandler } from '../../src/triggers/webhook-node.js';

/** Jobs never expire during a run, so a slow scenario cannot lose any. */
export function startBenchEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ seed: 1, expireJobs: false, ...options });
}

/**
 * Options of a single-company orchestrator against `emulator`: no schedule,
 * no detection at start, state in memory, and a processor that finishes at
 * once, so what is measured is the orchestration and not the export.
 */
export function productOptions(
  emulator: Emulator,
  overrides: Partial<OrchestratorOptions> = {},
): OrchestratorOptions {
  return {
    apiUrl: emulator.url,
    credentials: { token: emulator.token },
    schedule: false,
    detectOnStart: false,
    store: new MemoryStateStore(),
    processor: async () => ({ status: 'completed' }),
    ...overrides,
  };
}

export interface WebhookReceiver {
  url: string;
  secret: string;
  close(): Promise<void>;
}

/** A webhook endpoint as the daemon serves it, on 127.0.0.1 and a free port. */
export async function startWebhookReceiver(
  onJobCreated: (event: JobCreatedEvent) => void | boolean,
): Promise<WebhookReceiver> {
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const webhook = createNodeWebhookHandler({ secret, onJobCreated });
  const server = createServer((req, res) => {
    if (req.url === '/webhooks/pleo') return webhook(req, res);
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}/webhooks/pleo`;
  return { url, secret, close: () => closeServer(server) };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Resolves when `done()` holds, checking every `everyMs`; false on timeout. */
export async function waitUntil(
  done: () => boolean,
  timeoutMs: number,
  everyMs = 5,
): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  return true;
}
