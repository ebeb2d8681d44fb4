/**
 * Where the figures were taken: figures from another machine, or from this
 * one while it was busy, are not comparable, so BENCHMARKS.md says which.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

export interface MachineSnapshot {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  platform: string;
  date: string;
  /** 1, 5 and 15 minute load averages. */
  load: string;
  /** The commit measured, and whether the product's files differed from it. */
  revision: string;
}

export function machineSnapshot(): MachineSnapshot {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: os.totalmem() / 2 ** 30,
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    date: new Date().toISOString(),
    load: os.loadavg().map((value) => value.toFixed(2)).join(', '),
    revision: revision(),
  };
}

/** Read-only git queries; figures of uncommitted product code say so. */
function revision(): string {
  const git = (...args: string[]) =>
    execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const commit = git('rev-parse', '--short', 'HEAD');
    const changed = git('status', '--porcelain', '--', 'src', 'machines');
    return changed === '' ? commit : `${commit} with uncommitted changes in src/ or machines/`;
  } catch {
    return 'unknown (not a git checkout)';
  }
}

export function describeMachine(snapshot: MachineSnapshot): string[] {
  return [
    `Machine: ${snapshot.cpu}, ${snapshot.cores} cores, `
      + `${snapshot.memoryGiB.toFixed(1)} GiB memory, ${snapshot.platform}`,
    `Node ${snapshot.node}; date ${snapshot.date}; product at ${snapshot.revision}`,
    `Load average (1, 5, 15 min) at the start: ${snapshot.load}`,
  ];
}
