/**
 * The webhook path end to end over real HTTP: the emulator delivers signed
 * webhooks to a node:http server on loopback, whose handler triggers a real
 * orchestrator that has no poll schedule at all.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent, request, type Dispatcher } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type WebhookSettings } from '../../src/emulator/index.js';
import { createExportOrchestrator } from '../../src/orchestrator/orchestrator.js';
import type { OrchestratorEvent } from '../../src/orchestrator/types.js';
import {
  createNodeWebhookHandler,
  type NodeWebhookHandler,
} from '../../src/triggers/webhook-node.js';
import { OTHER_SECRET, inBatches, jobCreatedBody, serve, signedHeaders } from './support.js';

interface Captured {
  headers: Record<string, string>;
  body: string;
}

const cleanups: Array<() => Promise<void>> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Emulator, orchestrator and webhook receiver, subscribed to each other. */
async function rig(options: { webhooks?: WebhookSettings; dispatcher?: Dispatcher } = {}) {
  const emulator = await startEmulator({
    webhooks: { backoffMs: 20, maxBackoffMs: 50, ...options.webhooks },
  });
  cleanups.push(() => emulator.close());
  const orchestrator = createExportOrchestrator({
    apiUrl: emulator.url,
    credentials: { token: emulator.token },
    schedule: false,
    detectOnStart: false,
    processor: async () => ({ status: 'completed' }),
    ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
  });
  const events: OrchestratorEvent[] = [];
  orchestrator.subscribe((event) => events.push(event));
  await orchestrator.start();
  cleanups.push(() => orchestrator.stop(0));

  // The handler needs the subscription's secret; the subscription needs the URL.
  let webhook: NodeWebhookHandler | undefined;
  const captured: Captured[] = [];
  const base = await serve((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      // The signing headers only: they are what a replay would reuse.
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string' && name.startsWith('webhook-')) headers[name] = value;
      }
      captured.push({ headers, body: Buffer.concat(chunks).toString('utf8') });
    });
    webhook?.(req, res);
  });
  const url = `${base}/webhooks/pleo`;
  const { secret } = emulator.subscribe(url);
  webhook = createNodeWebhookHandler({
    secret,
    onJobCreated: () => orchestrator.trigger('webhook'),
  });

  const post = async (body: string, headers: Record<string, string>) => {
    const answer = await request(url, { method: 'POST', headers, body });
    await answer.body.dump();
    return answer.statusCode;
  };
  const listCalls = () => emulator.requests({ route: 'listJobs' }).length;
  const detections = () => orchestrator.status().counters.detections;
  const quiet = async () => {
    await emulator.settled();
    await sleep(20);
    await orchestrator.settled();
  };
  return { emulator, orchestrator, events, captured, secret, post, listCalls, detections, quiet };
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

/**
 * A dispatcher that holds the first job listing until `open()` is called,
 * so a test can make a burst land while a detection is in flight.
 */
function gatedFirstListing() {
  let open!: () => void;
  const gate = new Promise<void>((resolve) => (open = resolve));
  let held = false;
  const agent = new Agent();
  const dispatcher = agent.compose((dispatch) => (opts, handler) => {
    if (held || !opts.path.startsWith('/v3/export-jobs?')) return dispatch(opts, handler);
    held = true;
    void gate.then(() => dispatch(opts, handler));
    return true;
  });
  cleanups.push(() => agent.close());
  return { dispatcher, open, held: () => held };
}

describe('webhook detection with the emulator and a real orchestrator', () => {
  it('claims a job created in the emulator through the webhook, with no schedule', async () => {
    const r = await rig();

    const job = r.emulator.createJob();
    await waitFor(() => r.emulator.getJob(job.id)?.status === 'completed');

    const started = r.events.filter((event) => event.type === 'detect:start');
    expect(started[0]).toMatchObject({ source: 'webhook' });
    const claimed = expect.objectContaining({ type: 'job:claimed', jobId: job.id });
    expect(r.events).toContainEqual(claimed);
    expect(r.emulator.deliveries()[0]?.attempts.map((a) => a.status)).toEqual([202]);
  });

  it('refuses forged, stale, replayed and oversized deliveries without detecting', async () => {
    const r = await rig();
    const job = r.emulator.createJob();
    await waitFor(() => r.emulator.getJob(job.id)?.status === 'completed');
    await r.quiet();
    const before = { list: r.listCalls(), detections: r.detections() };
    const original = r.captured[0]!;
    const body = jobCreatedBody({ jobId: randomUUID() });
    const tenMinutes = 10 * 60_000;

    const statuses = [
      await r.post(body, signedHeaders(body, { secret: OTHER_SECRET })),
      await r.post(body, signedHeaders(body, { secret: r.secret, atMs: Date.now() - tenMinutes })),
      await r.post(body, signedHeaders(body, { secret: r.secret, atMs: Date.now() + tenMinutes })),
      await r.post(body, { 'content-type': 'application/json' }),
      await r.post(body, original.headers),
      await r.post(original.body, original.headers),
      await r.post(`${body}${' '.repeat(300 * 1024)}`, signedHeaders(body, { secret: r.secret })),
    ];
    await r.quiet();

    expect(statuses).toEqual([401, 401, 401, 401, 401, 200, 413]);
    expect(r.listCalls()).toBe(before.list);
    expect(r.detections()).toBe(before.detections);
  });

  it('costs at most one extra detection for duplicated and reordered deliveries', async () => {
    const r = await rig({ webhooks: { duplicateProbability: 1, reorderWindowMs: 30 } });

    const jobs = [r.emulator.createJob(), r.emulator.createJob(), r.emulator.createJob()];
    await waitFor(() => jobs.every((job) => r.emulator.getJob(job.id)?.status === 'completed'));
    await r.quiet();

    const deliveries = r.emulator.deliveries();
    const answers = deliveries.flatMap((d) => d.attempts.map((a) => a.status)).sort();
    expect(deliveries).toHaveLength(6);
    expect(answers).toEqual([200, 200, 200, 202, 202, 202]);
    // Draining three jobs takes at most four detections (the last finds
    // nothing; a drain may also take the next job from the listing it has);
    // the duplicated deliveries that arrived meanwhile add at most one.
    expect(r.detections()).toBeGreaterThanOrEqual(1);
    expect(r.detections()).toBeLessThanOrEqual(jobs.length + 2);
  });

  it('leaves a lost delivery to the poll, which still finds the job', async () => {
    const r = await rig({ webhooks: { dropProbability: 1 } });

    const job = r.emulator.createJob();
    await sleep(100);
    expect(r.emulator.getJob(job.id)?.status).toBe('pending');
    r.orchestrator.trigger('schedule');
    await waitFor(() => r.emulator.getJob(job.id)?.status === 'completed');

    expect(r.detections()).toBeGreaterThanOrEqual(1);
  });

  it('stays healthy and detects at most twice for 1,000 deliveries in a burst', async () => {
    const gated = gatedFirstListing();
    const r = await rig({ dispatcher: gated.dispatcher });
    const ids = Array.from({ length: 1_000 }, (_, i) => `msg_burst_${i}`);
    const statuses = new Map<number, number>();

    await inBatches(ids, 50, async (id) => {
      const body = jobCreatedBody({ jobId: randomUUID() });
      const status = await r.post(body, signedHeaders(body, { id, secret: r.secret }));
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
    expect(gated.held()).toBe(true);
    gated.open();
    await r.quiet();

    expect(Object.fromEntries(statuses)).toEqual({ 202: 1_000 });
    expect(r.detections()).toBeLessThanOrEqual(2);
    expect(r.listCalls()).toBeLessThanOrEqual(2);
    const status = r.orchestrator.status();
    expect(status).toMatchObject({ running: true, state: 'idle', lastFailure: null });

    const job = r.emulator.createJob();
    await waitFor(() => r.emulator.getJob(job.id)?.status === 'completed');
  });
});
