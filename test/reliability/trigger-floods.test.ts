/**
 * Rule 8 under pressure: floods of webhooks and triggers, a poll that ticks
 * every second and a listing that never answers. Detections never overlap, a
 * burst costs at most one more detection, and once the network answers again
 * the poll goes on by itself: every request has a deadline.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import type { RecordedRequest } from '../../src/emulator/index.js';
import { startInProcess } from './support/in-process.js';
import { COMPANY_A, statusOf, until, useScene } from './support/scene.js';

const scene = useScene();
const SECRET = `whsec_${randomBytes(32).toString('base64')}`;

/** A signed `export-job.created` delivery, the way Pleo sends one. */
function delivery(jobId: string, messageId: string) {
  const body = JSON.stringify({
    eventId: messageId,
    eventType: 'v1.export-job.created',
    data: {
      id: jobId,
      companyId: COMPANY_A,
      status: 'pending',
      createdAt: new Date().toISOString(),
    },
  });
  const at = new Date();
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'webhook-id': messageId,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(SECRET).sign(messageId, at, body),
    },
  };
}

const firstPages = (requests: RecordedRequest[]) =>
  requests.filter((r) => r.route === 'listJobs' && r.query['after'] === undefined);

describe('a flood of webhooks at the daemon', () => {
  it('is answered at once and costs at most one detection beyond the running one', async () => {
    const { emulator, fleet } = scene();
    const worker = await fleet.start('w1', {
      poll: 'off',
      args: ['--webhook-secret', SECRET],
      logLevel: 'info',
    });
    const url = await worker.controlUrl();
    await until(async () => (await statusOf(worker)).state === 'idle');
    emulator.setFaults([{ kind: 'latency', ms: 500, route: 'listJobs' }]);
    const before = emulator.requests().length;

    const job = emulator.createJob({ companyId: COMPANY_A });
    const sentAt = Date.now();
    // 60 deliveries, a third of them redeliveries (the same webhook-id again).
    const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => {
      const { body, headers } = delivery(job.id, `msg_${i % 40}`);
      return fetch(`${url}/webhooks/pleo`, { method: 'POST', headers, body });
    }));
    const answeredIn = Date.now() - sentAt;

    expect(answers.map((a) => a.status).every((s) => s === 200 || s === 202)).toBe(true);
    expect(answeredIn, 'webhooks waited for the detection').toBeLessThan(500);
    await until(() => emulator.getJob(job.id)?.status === 'completed');
    await until(async () => (await statusOf(worker)).state === 'idle');
    await sleep(600);
    // One detection for the burst, one more that drains after the job: two.
    expect(firstPages(emulator.requests().slice(before))).toHaveLength(2);
  });
});

describe('a listing that never answers, under a poll every second and a trigger flood', () => {
  it('never overlaps detections and resumes by itself once the network answers', async () => {
    const { emulator } = scene();
    const job = emulator.createJob({ companyId: COMPANY_A });
    emulator.setFaults([{ kind: 'hang', route: 'listJobs' }]);
    const spans: Array<{ start: number; end: number }> = [];
    const run = await startInProcess(emulator, {
      schedule: '*/1 * * * * *',
      requestTimeoutMs: 200,
      retry: { maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 10 },
      retryBackoffMs: { base: 100, max: 400 },
      onRequest: (info) => {
        const { path, durationMs } = info as { path: string; durationMs: number };
        if (path.startsWith('/v3/export-jobs?')) {
          spans.push({ start: performance.now() - durationMs, end: performance.now() });
        }
      },
    });
    try {
      const flood = setInterval(() => run.orchestrator.trigger('webhook'), 5);
      await sleep(1_500);
      clearInterval(flood);
      expect(emulator.getJob(job.id)?.status).toBe('pending');

      emulator.clearFaults();
      await until(() => emulator.getJob(job.id)?.status === 'completed', 3_000,
        'the job completed after the network came back');
    } finally {
      await run.orchestrator.stop(500);
    }

    const sorted = [...spans].sort((a, b) => a.start - b.start);
    for (let i = 1; i < sorted.length; i += 1) {
      const previous = sorted[i - 1]!;
      expect(sorted[i]!.start, 'two listings at once').toBeGreaterThanOrEqual(previous.end - 1);
    }
    // Each detection is the first one, one after a failed one, the one that
    // ends the finished job's cycle, or at most one poll tick while idle;
    // hundreds of triggers add none.
    const count = (type: string) => run.events.filter((e) => e.type === type).length;
    expect(count('detect:start')).toBeLessThanOrEqual(count('detect:failed') + 3);
    expect(run.orchestrator.status().counters.coalescedTriggers).toBeGreaterThan(100);
  });
});
