/**
 * The CLI's webhook parts, run as a user runs them: `node bin/pleo-export.js`
 * in a child process, against an emulator on loopback. The build is
 * refreshed first when a source file is newer than it.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { request } from 'undici';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(ROOT, 'bin/pleo-export.js');
const PROCESSOR = path.join(ROOT, 'test/fixtures/processor.mjs');
const run = promisify(execFile);

/** The environment without the user's Pleo settings, so flags alone count. */
const CLEAN_ENV = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^(PLEO_|PORT$|HOST$|LOG_LEVEL$)/.test(name)),
);

beforeAll(async () => {
  if (buildIsFresh()) return;
  await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p',
    path.join(ROOT, 'tsconfig.build.json')], { cwd: ROOT });
}, 60_000);

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    const mtime = entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs;
    newest = Math.max(newest, mtime);
  }
  return newest;
}

function buildIsFresh(): boolean {
  try {
    const built = statSync(path.join(ROOT, 'dist/src/cli/main.js')).mtimeMs;
    const sources = ['src', 'machines'].map((dir) => newestMtime(path.join(ROOT, dir)));
    return built >= Math.max(...sources);
  } catch {
    return false;
  }
}

const emulators: Emulator[] = [];
const children: ChildProcess[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    // The daemon exits at once on a second signal; do not wait out a grace period.
    const second = setTimeout(() => child.kill('SIGTERM'), 2_000);
    await exited;
    clearTimeout(second);
  }
  await Promise.all(emulators.splice(0).map((emulator) => emulator.close()));
});

async function emulator(): Promise<Emulator> {
  const started = await startEmulator();
  emulators.push(started);
  return started;
}

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], {
      env: CLEAN_ENV,
      timeout: 10_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

const ENDPOINT = 'http://127.0.0.1:9/webhooks/pleo';

describe('pleo-export subscribe', () => {
  it('creates the subscription and prints only its secret on stdout', async () => {
    const pleo = await emulator();

    const result = await cli([
      'subscribe', '--endpoint-url', ENDPOINT, '--api-url', pleo.url, '--token', pleo.token,
    ]);

    expect(result.code).toBe(0);
    const [subscription] = pleo.subscriptions();
    expect(subscription).toMatchObject({
      endpointUrl: ENDPOINT,
      eventTypes: ['v1.export-job.created'],
    });
    expect(result.stdout).toBe(`${subscription!.secret}\n`);
    expect(result.stderr).toContain('PLEO_WEBHOOK_SECRET');
  });

  it('subscribes to every --event-type given, with an API key', async () => {
    const pleo = await emulator();

    const result = await cli([
      'subscribe', '--endpoint-url', ENDPOINT, '--api-url', pleo.url, '--api-key', pleo.token,
      '--event-type', 'v1.export-job.created', '--event-type', 'export-job.created',
    ]);

    expect(result.code).toBe(0);
    expect(pleo.subscriptions()[0]?.eventTypes).toEqual([
      'v1.export-job.created',
      'export-job.created',
    ]);
  });

  it.each([
    [[], '--endpoint-url'],
    [['--endpoint-url', 'not a url'], '--endpoint-url'],
    [['--endpoint-url', ENDPOINT], '--token'],
    [['--endpoint-url', ENDPOINT, '--token', 't', '--api-key', 'k'], '--api-key'],
    [['--endpoint-url', ENDPOINT, '--token', 't', '--api-url', 'ftp://x'], '--api-url'],
    [['--endpoint-url', ENDPOINT, '--token', 't', '--bogus'], '--bogus'],
  ])('exits 2 naming the flag for bad usage %j', async (args, flag) => {
    const result = await cli(['subscribe', ...args]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain(flag);
    expect(result.stdout).toBe('');
  });

  it('exits 3 when Pleo rejects the credentials', async () => {
    const pleo = await emulator();

    const result = await cli([
      'subscribe', '--endpoint-url', ENDPOINT, '--api-url', pleo.url, '--token', 'wrong-token',
    ]);

    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(pleo.subscriptions()).toEqual([]);
  });
});

interface LogLine {
  msg: string;
  [key: string]: unknown;
}

/** Reads the daemon's JSON log lines as they come. */
function logLines(child: ChildProcess) {
  const lines: LogLine[] = [];
  const lineReader = createInterface({ input: child.stdout! });
  lineReader.on('line', (line) => {
    if (line.startsWith('{')) lines.push(JSON.parse(line) as LogLine);
    if (process.env.DEBUG_CLI) process.stderr.write(`${Date.now()} ${line.slice(0, 200)}\n`);
  });
  const find = async (test: (line: LogLine) => boolean, timeoutMs = 8_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = lines.find(test);
      if (found) return found;
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`log line not seen; got: ${lines.map((l) => l.msg).join(' | ')}`);
      }
      await sleep(10);
    }
  };
  return { lines, find };
}

async function getJson(url: string): Promise<unknown> {
  const answer = await request(url);
  return answer.body.json();
}

describe('pleo-export run in sandbox mode', () => {
  it('subscribes itself to the emulator and claims a new job by webhook, poll off', async () => {
    const child = spawn(process.execPath, [BIN, 'run', '--port', '0', '--poll', 'off'], {
      env: CLEAN_ENV,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    const log = logLines(child);

    const sandbox = await log.find((l) => l.msg.startsWith('sandbox: no --api-url'));
    const emulatorUrl = String(sandbox['emulator']);
    const control = await log.find((l) => l.msg.startsWith('control server listening'));
    const controlUrl = String(control['url']);
    const subscribed = await log.find((l) => l.msg.includes('delivers webhooks to the daemon'));
    expect(subscribed['endpointUrl']).toBe(`${controlUrl}/webhooks/pleo`);

    // Let the start-up drain of the demo jobs finish and the daemon rest, so
    // that only a webhook can explain the next claim.
    const resting = async () => {
      const { data } = (await getJson(`${emulatorUrl}/__emulator/jobs`)) as {
        data: Array<{ status: string }>;
      };
      const open = data.filter((j) => j.status === 'pending' || j.status === 'in_progress');
      const { lanes } = (await getJson(`${controlUrl}/status`)) as {
        lanes: Array<{ state: string }>;
      };
      return open.length === 0 && lanes.every((lane) => lane.state === 'idle');
    };
    for (const deadline = Date.now() + 8_000; !(await resting()) || !(await resting());) {
      if (Date.now() > deadline) throw new Error('the sandbox did not drain its demo jobs');
      await sleep(20);
    }

    const created = await request(`${emulatorUrl}/__emulator/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    const { data: job } = (await created.body.json()) as { data: { id: string } };
    const claimed = await log.find((l) => l.msg === 'job claimed' && l['jobId'] === job.id, 3_000);
    await log.find((l) => l['jobId'] === job.id && l['outcome'] !== undefined);

    expect(claimed).toBeDefined();
    const { data: deliveries } = (await getJson(`${emulatorUrl}/__emulator/deliveries`)) as {
      data: Array<{ jobId: string; attempts: Array<{ status?: number }> }>;
    };
    const delivery = deliveries.find((d) => d.jobId === job.id);
    expect(delivery?.attempts.map((a) => a.status)).toEqual([202]);
    if (process.env.DEBUG_CLI) process.stderr.write(`${Date.now()} TEST END\n`);
  });
});

describe('pleo-export run --webhook-secret', () => {
  it('exits 2 naming --webhook-secret, without quoting a malformed secret', async () => {
    const result = await cli([
      'run', '--api-url', 'http://127.0.0.1:9', '--token', 't', '--poll', 'off',
      '--processor', PROCESSOR, '--webhook-secret', 'whsec_not*base64',
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--webhook-secret');
    expect(result.stderr).not.toContain('not*base64');
  });

  it('serves POST /webhooks/pleo verified with the secret, and claims by webhook', async () => {
    const pleo = await emulator();
    const secret = 'whsec_c2VjcmV0LWZvci10aGUtZGFlbW9uLXRlc3Qtb25seQ==';
    const child = spawn(process.execPath, [
      BIN, 'run', '--api-url', pleo.url, '--token', pleo.token, '--port', '0',
      '--poll', 'off', '--processor', PROCESSOR, '--webhook-secret', secret,
    ], { env: CLEAN_ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    const log = logLines(child);
    const control = await log.find((l) => l.msg.startsWith('control server listening'));
    const controlUrl = String(control['url']);
    // The start-up detection must be over, so only the webhook can explain a claim.
    for (const deadline = Date.now() + 5_000; ;) {
      const status = (await getJson(`${controlUrl}/status`)) as {
        state: string;
        counters: { detections: number };
      };
      if (status.state === 'idle' && status.counters.detections >= 1) break;
      if (Date.now() > deadline) throw new Error('the start-up detection did not end');
      await sleep(10);
    }

    pleo.subscribe(`${controlUrl}/webhooks/pleo`, { secret });
    const job = pleo.createJob();
    await log.find((l) => l.msg === 'job claimed' && l['jobId'] === job.id, 3_000);
    await pleo.settled();

    expect(pleo.deliveries()[0]?.attempts.map((a) => a.status)).toEqual([202]);
    expect(log.lines.map((l) => JSON.stringify(l)).join('\n')).not.toContain(secret);
  });
});
