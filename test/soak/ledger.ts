/**
 * The shared ledger that `test/fixtures/ledger-processor.mjs` writes: what
 * was booked, by which process, and the harness's marks of the processes it
 * killed. Reading it back tells whether any job was processed twice.
 */
import { appendFile, readFile } from 'node:fs/promises';

export type LedgerLine =
  | { kind: 'start'; jobId: string; worker: string; pid: number; holdDurable?: boolean }
  | { kind: 'done' | 'aborted'; jobId: string; worker: string; pid: number }
  | { kind: 'book'; jobId: string; entries: string[]; worker: string; pid: number }
  | { kind: 'killed'; pid: number; worker: string };

export async function readLedger(file: string): Promise<LedgerLine[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as LedgerLine);
}

/**
 * Marks `pid` as killed. Written only once the process is gone, so every
 * line that process wrote comes before the mark.
 */
export async function markKilled(file: string, pid: number, worker: string): Promise<void> {
  await appendFile(file, `${JSON.stringify({ kind: 'killed', pid, worker })}\n`);
}

export interface LedgerFindings {
  /** Items booked more than once: `jobId:entryId`. */
  duplicateBookings: string[];
  /**
   * Runs of a job's processor that began although the run before it had
   * neither crashed (its process killed) nor been aborted at shutdown: two
   * at once, or a job processed again after a clean run.
   */
  unjustifiedReruns: Array<{ jobId: string; pids: [number, number] }>;
  /** Runs that repeated an interrupted one, as the guarantee allows. */
  rerunsAfterInterruption: number;
  /** How many runs each job had. */
  runsPerJob: Map<string, number>;
  /** Who ran each job last. */
  lastRunner: Map<string, string>;
}

export function examineLedger(lines: readonly LedgerLine[]): LedgerFindings {
  const findings: LedgerFindings = {
    duplicateBookings: [],
    unjustifiedReruns: [],
    rerunsAfterInterruption: 0,
    runsPerJob: new Map(),
    lastRunner: new Map(),
  };
  const booked = new Set<string>();
  const killed = new Set<number>();
  // Per job: the pid of the run before, and whether it was interrupted.
  const previous = new Map<string, { pid: number; aborted: boolean }>();

  for (const line of lines) {
    switch (line.kind) {
      case 'killed':
        killed.add(line.pid);
        break;
      case 'book':
        for (const entry of line.entries) {
          const key = `${line.jobId}:${entry}`;
          if (booked.has(key)) findings.duplicateBookings.push(key);
          booked.add(key);
        }
        break;
      case 'aborted': {
        const run = previous.get(line.jobId);
        if (run && run.pid === line.pid) run.aborted = true;
        break;
      }
      case 'start': {
        const before = previous.get(line.jobId);
        if (before) {
          const interrupted = killed.has(before.pid) || before.aborted;
          if (interrupted) findings.rerunsAfterInterruption += 1;
          else findings.unjustifiedReruns.push({ jobId: line.jobId, pids: [before.pid, line.pid] });
        }
        previous.set(line.jobId, { pid: line.pid, aborted: false });
        findings.runsPerJob.set(line.jobId, (findings.runsPerJob.get(line.jobId) ?? 0) + 1);
        findings.lastRunner.set(line.jobId, line.worker);
        break;
      }
      case 'done':
        break;
    }
  }
  return findings;
}
