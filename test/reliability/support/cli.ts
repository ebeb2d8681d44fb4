/**
 * Runs a short-lived `pleo-export` command (not the daemon) to its end.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../soak/worker-process.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[]): Promise<CliResult> {
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/pleo-export.js'), ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}
