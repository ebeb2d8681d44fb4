import { execFile, spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { emulatorCommand } from '../../src/cli/emulator-command.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/pleo-export.js');

/** True when a source file is newer than its compiled twin in dist/. */
function distIsStale(): boolean {
  const sources = [
    ...readdirSync(path.join(ROOT, 'src/emulator'), { recursive: true, encoding: 'utf8' })
      .filter((file) => file.endsWith('.ts'))
      .map((file) => path.join('src/emulator', file)),
    'src/cli/emulator-command.ts',
    'src/cli/main.ts',
  ];
  return sources.some((source) => {
    const compiled = path.join(ROOT, 'dist', source.replace(/\.ts$/, '.js'));
    try {
      return statSync(compiled).mtimeMs < statSync(path.join(ROOT, source)).mtimeMs;
    } catch {
      return true;
    }
  });
}

beforeAll(async () => {
  if (!distIsStale()) return;
  // Type errors elsewhere in the project must not stop the emulator's files
  // from being emitted, so the exit code is not checked here.
  await promisify(execFile)('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: ROOT }).catch(
    () => undefined,
  );
}, 120_000);

function runInProcess(args: string[]) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const stop = new AbortController();
  const done = emulatorCommand(args, { stdout, stderr, env: {} }, stop.signal);
  return { done, stop, out: () => out, err: () => err };
}

describe('pleo-export emulator', () => {
  it('serves until SIGTERM, printing its URL and token, then exits 0', async () => {
    const child = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--seed-demo'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    let stdout = '';
    const ready = new Promise<{ url: string; token: string }>((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        stdout += chunk;
        const url = /^url: (\S+)$/m.exec(stdout)?.[1];
        const token = /^token: (\S+)$/m.exec(stdout)?.[1];
        if (url && token) resolve({ url, token });
      });
      child.once('exit', () => reject(new Error(`exited early: ${stdout}`)));
    });

    try {
      const { url, token } = await ready;
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const response = await fetch(`${url}/v3/export-jobs?statuses=pending`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(200);
      const body = (await response.json()) as { data: unknown[] };
      expect(body.data).toHaveLength(9);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('stops when its stop signal fires, in-process, with the token it was given', async () => {
    const run = runInProcess(['--token', 'dev-token', '--conflict-status', '409']);
    await expect.poll(() => run.out()).toContain('token: dev-token');
    run.stop.abort();
    expect(await run.done).toBe(0);
  });

  it('prints its options with --help and exits 0', async () => {
    const run = runInProcess(['--help']);
    expect(await run.done).toBe(0);
    expect(run.out()).toContain('--conflict-status');
  });

  it.each([
    [['--port', 'abc'], '--port'],
    [['--port', '70000'], '--port'],
    [['--conflict-status', '418'], '--conflict-status'],
    [['--seed', '-1'], '--seed'],
    [['--bogus'], '--bogus'],
  ])('refuses %j with exit 2 and a message naming %s, without a stack', async (args, flag) => {
    const run = runInProcess(args);
    expect(await run.done).toBe(2);
    expect(run.err()).toContain(flag);
    expect(run.err()).not.toMatch(/\n\s+at /);
  });
});
