/**
 * Runs a bench script in a child Node process (with `--expose-gc` and tsx)
 * and returns the JSON object it prints as its last line of stdout. A child
 * that outlives `timeoutMs` is killed, by its own pid only.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export async function runChild<T>(
  script: string,
  args: readonly string[],
  options: { timeoutMs: number; nodeFlags?: readonly string[] },
): Promise<T> {
  const file = path.join(BENCH_DIR, script);
  const flags = ['--expose-gc', '--import', 'tsx', ...(options.nodeFlags ?? [])];
  const child = spawn(process.execPath, [...flags, file, ...args], {
    cwd: path.resolve(BENCH_DIR, '..'),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);

  const last = stdout.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) {
    throw new Error(`${script} ${args.join(' ')} exited with ${code}:\n${stderr.slice(-2_000)}`);
  }
  return JSON.parse(last) as T;
}
