/**
 * The Stately inspector: loopback only, keyed, secrets removed before any
 * message leaves, and nothing left running once stopped.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { WebSocket } from 'undici';
import { assign, createActor, createMachine, fromPromise } from 'xstate';
import { startInspector, type RunningInspector } from '../../src/inspect/inspector.js';

const TOKEN = 'tok_live_4f7c2a9e81';
const API_KEY = 'key_9b1d77e0c3';
const PASSWORD = 'hunter2-correct-horse';
const WEBHOOK_SECRET = 'whsec_c2VjcmV0LXZhbHVlLWZvci10ZXN0cw==';

const silent = pino({ level: 'silent' });
let inspector: RunningInspector | undefined;
afterEach(async () => {
  await inspector?.stop();
  inspector = undefined;
});

/** A plain WebSocket client standing in for the browser page, keeping what it is sent. */
async function connectPage(url: string) {
  const messages: string[] = [];
  const socket = new WebSocket(url.replace('http:', 'ws:'));
  socket.addEventListener('message', (event) => messages.push(String(event.data)));
  await new Promise<void>((resolve, reject) => {
    socket.addEventListener('open', () => resolve());
    socket.addEventListener('error', () => reject(new Error('the page could not connect')));
  });
  const closed = new Promise<void>((resolve) => socket.addEventListener('close', () => resolve()));
  return { socket, messages, closed };
}

/** The status a WebSocket upgrade request gets (101 when accepted). */
function upgradeStatus(url: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      headers: {
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        'sec-websocket-version': '13',
        ...headers,
      },
    });
    req.on('upgrade', (_res, socket) => {
      socket.destroy();
      resolve(101);
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

const secretMachine = createMachine({
  id: 'withSecrets',
  context: {
    credentials: { token: TOKEN, apiKey: API_KEY },
    nested: { deeper: [{ password: PASSWORD }] },
    jobId: 'job-visible',
  },
  initial: 'idle',
  states: {
    idle: {
      on: {
        CONFIGURE: {
          target: 'working',
          actions: assign({ jobId: ({ event }) => `job-${String(event.webhookSecret).length}` }),
        },
      },
    },
    working: {
      invoke: {
        src: fromPromise(async () => {
          throw new Error(`upstream refused ${TOKEN}`);
        }),
        onError: 'failed',
      },
    },
    failed: {},
  },
});

describe('the inspector', () => {
  it('listens on 127.0.0.1 only and answers only with its key', async () => {
    inspector = await startInspector({ logger: silent });
    const url = new URL(inspector.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect((await fetch(inspector.url)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${url.port}/`)).status).toBe(404);
    expect(await upgradeStatus(inspector.url)).toBe(101);
    expect(await upgradeStatus(`http://127.0.0.1:${url.port}/?key=wrong`)).toBe(403);
    expect(await upgradeStatus(inspector.url, { origin: 'https://evil.example' })).toBe(403);
    expect(await upgradeStatus(inspector.url, { host: `rebound.example:${url.port}` })).toBe(403);

    const external = Object.values(networkInterfaces()).flat()
      .find((address) => address && address.family === 'IPv4' && !address.internal);
    if (external) {
      await expect(fetch(`http://${external.address}:${url.port}/`)).rejects.toThrow();
    }
  });

  it('sends the machine to a connected page with every secret removed', async () => {
    inspector = await startInspector({ logger: silent, secrets: [TOKEN] });
    const page = await connectPage(inspector.url);
    const actor = createActor(secretMachine, { inspect: inspector.inspect });
    actor.start();
    const authorization = `Bearer ${TOKEN}`;
    actor.send({ type: 'CONFIGURE', webhookSecret: WEBHOOK_SECRET, authorization });
    await expect.poll(() => actor.getSnapshot().value).toBe('failed');
    await expect.poll(() => page.messages.join('\n')).toContain('"failed"');

    const everything = page.messages.join('\n');
    expect(everything).toContain('job-visible');
    expect(everything).toContain('[redacted]');
    for (const secret of [TOKEN, API_KEY, PASSWORD, WEBHOOK_SECRET]) {
      expect(everything).not.toContain(secret);
    }
    page.socket.close();
  });

  it('replays the machine definition to a page that connects late', async () => {
    inspector = await startInspector({ logger: silent });
    const actor = createActor(secretMachine, { inspect: inspector.inspect });
    actor.start();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const page = await connectPage(inspector.url);
    await expect.poll(() => page.messages.some((m) => m.includes('"@xstate.actor"'))).toBe(true);
    expect(page.messages.join('\n')).not.toContain(TOKEN);
    page.socket.close();
  });

  it('applies the host redaction after its own', async () => {
    inspector = await startInspector({
      logger: silent,
      redact: (value) => JSON.parse(JSON.stringify(value).replaceAll('job-visible', 'job-hidden')),
    });
    const page = await connectPage(inspector.url);
    createActor(secretMachine, { inspect: inspector.inspect }).start();
    await expect.poll(() => page.messages.join('\n')).toContain('job-hidden');
    expect(page.messages.join('\n')).not.toContain('job-visible');
    page.socket.close();
  });

  it('leaves no server, socket or timer behind once stopped', async () => {
    const kinds = ['TCPServerWrap', 'TCPSocketWrap', 'Timeout'];
    const count = () => Object.fromEntries(kinds.map((kind) => [
      kind, process.getActiveResourcesInfo().filter((k) => k === kind).length,
    ]));
    await new Promise((resolve) => setTimeout(resolve, 10));
    const before = count();
    const running = await startInspector({ logger: silent });
    const page = await connectPage(running.url);
    createActor(secretMachine, { inspect: running.inspect }).start();
    const during = count();
    expect(during['TCPServerWrap']).toBeGreaterThan(before['TCPServerWrap']!);
    await running.stop();
    await page.closed;
    await new Promise((resolve) => setTimeout(resolve, 10));
    const after = count();
    for (const kind of kinds) expect(after[kind], kind).toBeLessThanOrEqual(before[kind]!);
  });

  it('lets a process that used it exit by itself after stop()', async () => {
    const child = fileURLToPath(new URL('./fixtures/inspector-child.ts', import.meta.url));
    const proc = spawn(process.execPath, ['--import', 'tsx', child], { stdio: 'pipe' });
    let output = '';
    proc.stdout.on('data', (chunk) => (output += String(chunk)));
    proc.stderr.on('data', (chunk) => (output += String(chunk)));
    const exited = new Promise<number | null>((resolve) => proc.once('exit', resolve));
    const timer = setTimeout(() => proc.kill('SIGKILL'), 8_000);
    const code = await exited;
    clearTimeout(timer);
    expect({ code, output: output.trim() }).toEqual({ code: 0, output: 'stopped' });
  });
});
