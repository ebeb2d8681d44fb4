/** Spawns the built CLI (`bin/pleo-export.js`) as a user would run it. */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'bin/pleo-export.js');

export interface CliRun {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
  /** Resolves with the first stdout line that matches. */
  waitForLine: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
}

const running = new Set<ChildProcess>();

/** Kills every CLI process a test started and has not seen exit; for `afterEach`. */
export function killSpawned(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export function spawnCli(args: string[], env: NodeJS.ProcessEnv = {}): CliRun {
  if (!existsSync(path.join(ROOT, 'dist/src/cli/main.js'))) {
    throw new Error('dist/ is missing: run `npm run build` (npm test does it first).');
  }
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const waiters: Array<() => void> = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    for (const wake of waiters) wake();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  running.add(child);
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      running.delete(child);
      resolve(code);
    }));
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exit,
    waitForLine: (pattern, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const line = out.split('\n').find((l) => pattern.test(l));
          if (line === undefined) return false;
          clearTimeout(timer);
          resolve(line);
          return true;
        };
        const timer = setTimeout(
          () => reject(new Error(`no line matching ${pattern} in:\n${out}\n${err}`)),
          timeoutMs,
        );
        if (!check()) waiters.push(check);
        void exit.then(() => {
          if (!check()) {
            clearTimeout(timer);
            reject(new Error(`exited before a line matching ${pattern}:\n${out}\n${err}`));
          }
        });
      }),
  };
}
