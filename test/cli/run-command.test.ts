import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { killSpawned, spawnCli } from './spawn.js';

let emulator: Emulator;
let stateDir: string;
beforeEach(async () => {
  emulator = await startEmulator({ expireJobs: false });
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'cli-run-'));
});
afterEach(async () => {
  killSpawned();
  await emulator.close();
  await rm(stateDir, { recursive: true, force: true });
});

const base = (processor = './test/fixtures/processor.mjs') => [
  '--api-url', emulator.url, '--state-dir', stateDir, '--port', '0', '--log-level', 'info',
  '--processor', processor,
];

describe('pleo-export run', () => {
  it('--once drains every eligible job with the given processor module, then exits 0', async () => {
    const jobs = [3, 1, 2].map((m) => emulator.createJob({ createdAt: `2026-11-30T09:0${m}:00Z` }));
    const run = spawnCli(['run', ...base(), '--once'], {
      PLEO_API_TOKEN: emulator.token,
    });
    expect(await run.exit).toBe(0);
    expect(emulator.jobs().map((j) => j.status)).toEqual(['completed', 'completed', 'completed']);
    const started = emulator
      .requests({ method: 'POST' })
      .map((r) => r.body as { event: string; jobId: string })
      .filter((b) => b.event === 'started')
      .map((b) => b.jobId);
    expect(started).toEqual([jobs[1]!.id, jobs[2]!.id, jobs[0]!.id]);
    expect(run.stdout()).toContain('"msg":"job claimed"');
  });

  it('exits 3 with a message when the token is rejected, and never prints the token', async () => {
    const secret = 'tok_this-is-a-secret-value';
    const run = spawnCli(['run', ...base(), '--token', secret]);
    expect(await run.exit).toBe(3);
    expect(run.stderr()).toMatch(/rejected the credentials/);
    expect(run.stdout() + run.stderr()).not.toContain(secret);
    expect(run.stderr()).not.toMatch(/\n\s+at /);
  });

  it('exits 2 naming the flag when a flag is bad, without a stack trace', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--poll', 'every minute'], /--poll/],
      [['--port', 'eighty'], /--port/],
      [['--frobnicate'], /--frobnicate/],
      [['--api-url', 'ftp://x'], /--api-url/],
      [['--api-url', 'http://127.0.0.1:1'], /--token/],
    ];
    for (const [args, pattern] of cases) {
      const run = spawnCli(['run', ...args]);
      expect(await run.exit, args.join(' ')).toBe(2);
      expect(run.stderr()).toMatch(pattern);
      expect(run.stderr()).not.toMatch(/\n\s+at /);
    }
  });

  it('serves /status and /healthz, takes /trigger, and stops cleanly on SIGTERM', async () => {
    const run = spawnCli(['run', ...base('./test/fixtures/slow-processor.mjs'), '--poll', 'off'], {
      PLEO_API_TOKEN: emulator.token,
    });
    const line = await run.waitForLine(/control server listening/);
    const url = JSON.parse(line).url as string;
    await run.waitForLine(/orchestrator started/);

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    const job = emulator.createJob({ createdAt: '2026-11-30T09:00:00Z' });
    const trigger = spawnCli(['trigger', '--url', url]);
    expect(await trigger.exit).toBe(0);
    await run.waitForLine(/"msg":"processing job"/);
    const status = await (await fetch(`${url}/status`)).json();
    expect(status).toMatchObject({ running: true, counters: { claims: 1 } });
    expect(emulator.getJob(job.id)?.status).toBe('in_progress');
    // The hold reaches the disk before the processor runs (well within its 300 ms).
    const file = path.join(stateDir, 'default.state.json');
    const held = async () => JSON.parse(await readFile(file, 'utf8')).heldJob?.id;
    for (let i = 0; i < 50 && (await held()) !== job.id; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    expect(await held()).toBe(job.id);
    expect(emulator.getJob(job.id)?.status).toBe('in_progress');

    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    // The processor was let finish and its outcome reported before the exit.
    expect(emulator.getJob(job.id)?.status).toBe('completed');
    expect(JSON.parse(await readFile(file, 'utf8')).heldJob).toBeNull();
  });

  it('refuses to claim real jobs with no processor to finish them', async () => {
    const run = spawnCli(['run', '--api-url', emulator.url, '--port', '0'], {
      PLEO_API_TOKEN: emulator.token,
    });
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(/--processor .* is required with --api-url/);
    expect(emulator.requests()).toEqual([]);
  });

  it('--inspect serves the inspector relay on loopback and still exits on SIGTERM', async () => {
    const run = spawnCli(['run', ...base(), '--poll', 'off', '--inspect'], {
      PLEO_API_TOKEN: emulator.token,
    });
    const line = JSON.parse(await run.waitForLine(/inspector relay listening/)) as { url: string };
    expect(new URL(line.url).hostname).toBe('127.0.0.1');
    expect(run.stdout()).not.toContain(emulator.token);
    await run.waitForLine(/orchestrator started/);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
  });

  it('with no --api-url runs the sandbox: demo jobs are claimed and booked', async () => {
    const sandbox = spawnCli(['run', '--port', '0', '--state-dir', stateDir]);
    await sandbox.waitForLine(/"msg":"job completed"/);
    sandbox.child.kill('SIGTERM');
    expect(await sandbox.exit).toBe(0);
    const ledger = await readFile(path.join(stateDir, 'ledger.jsonl'), 'utf8');
    expect(ledger.trim().split('\n').length).toBeGreaterThan(0);
  });
});

describe('pleo-export run, checked before anything is claimed', () => {
  it('exits 2 naming --state-dir when the state directory cannot be written', async () => {
    const file = path.join(stateDir, 'not-a-directory');
    await writeFile(file, 'x');
    const run = spawnCli(['run', ...base(), '--state-dir', file], {
      PLEO_API_TOKEN: emulator.token,
    });
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(/--state-dir \(PLEO_STATE_DIR\): cannot write to/);
    expect(emulator.requests()).toEqual([]);
  });
});
