/**
 * The stage of a reliability test: an emulator in this process, a temporary
 * directory, and a fleet of CLI workers, all torn down after each test.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import {
  startEmulator,
  type Emulator,
  type EmulatorOptions,
  type Job,
} from '../../../src/emulator/index.js';
import { FileStateStore } from '../../../src/persistence/file-state-store.js';
import type { StoredState } from '../../../src/persistence/state-store.js';
import { Fleet } from '../../soak/fleet.js';
import { readLedger } from '../../soak/ledger.js';
import { judge, type Verdict } from '../../soak/verdict.js';
import type { WorkerProcess } from '../../soak/worker-process.js';

export const COMPANY_A = '0a0a0a0a-1111-4111-8111-000000000001';
export const COMPANY_B = '0b0b0b0b-2222-4222-8222-000000000002';
export const COMPANY_C = '0c0c0c0c-3333-4333-8333-000000000003';

export interface Scene {
  emulator: Emulator;
  fleet: Fleet;
  dir: string;
}

/** An emulator, a temporary directory and a fleet; `close` undoes all three. */
export async function openScene(options: EmulatorOptions = {}): Promise<Scene & {
  close(): Promise<void>;
}> {
  const emulator = await startEmulator({ seed: 11, expireJobs: false, ...options });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'pleo-reliability-'));
  const fleet = new Fleet(emulator, dir);
  return {
    emulator,
    fleet,
    dir,
    close: async () => {
      await fleet.killAll();
      await emulator.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Registers set-up and tear-down; call the result inside a test. */
export function useScene(options: EmulatorOptions = {}): () => Scene {
  let scene: Awaited<ReturnType<typeof openScene>> | undefined;
  beforeEach(async () => {
    scene = await openScene(options);
  });
  afterEach(async () => {
    await scene?.close();
    scene = undefined;
  });
  return () => {
    if (!scene) throw new Error('The scene is only set inside a test.');
    return scene;
  };
}

/**
 * Five jobs in two companies, created in an order unlike their `createdAt`
 * order, with offsets that sort differently as text. Returns them oldest first.
 */
export function createFiveJobs(emulator: Emulator): Job[] {
  const specs = [
    { companyId: COMPANY_A, createdAt: '2026-11-30T10:30:00+01:00', numberOfItems: 2 },
    { companyId: COMPANY_B, createdAt: '2026-11-30T09:10:00Z', numberOfItems: 3 },
    { companyId: COMPANY_A, createdAt: '2026-11-30T09:05:00Z', numberOfItems: 1 },
    { companyId: COMPANY_B, createdAt: '2026-11-30T04:20:00-05:00', numberOfItems: 2 },
    { companyId: COMPANY_A, createdAt: '2026-11-30T09:00:00.5Z', numberOfItems: 3 },
  ];
  const jobs = specs.map((spec) => emulator.createJob(spec));
  return [jobs[4]!, jobs[2]!, jobs[1]!, jobs[3]!, jobs[0]!];
}

export async function verdictOf(scene: Scene): Promise<Verdict> {
  const ledger = await readLedger(scene.fleet.ledgerFile);
  return judge(scene.emulator.jobs(), scene.emulator.requests(), ledger);
}

/** Writes a worker's state file as a crash at some moment would have left it. */
export async function writeState(scene: Scene, label: string, state: Partial<StoredState>) {
  const store = new FileStateStore(scene.fleet.stateDir(label));
  await store.save('default', {
    version: 1,
    heldJob: null,
    claimIntent: null,
    unknownClaimIds: [],
    updatedAt: Date.now(),
    ...state,
  });
}

export async function readState(scene: Scene, label: string): Promise<StoredState | null> {
  return new FileStateStore(scene.fleet.stateDir(label)).load('default');
}

export interface WorkerStatus {
  state: string;
  unknownClaims: string[];
  heldJob: { id: string } | null;
}

/** `GET /status` of a running worker; while it starts, a status with no claims. */
export async function statusOf(worker: WorkerProcess): Promise<WorkerStatus> {
  const response = await fetch(`${await worker.controlUrl()}/status`);
  const body = (await response.json()) as Partial<WorkerStatus>;
  return {
    state: body.state ?? 'unknown',
    unknownClaims: body.unknownClaims ?? [],
    heldJob: body.heldJob ?? null,
  };
}

/** Resolves once `check` is true, polling; rejects after `timeoutMs`. */
export function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  what = 'the condition',
): Promise<true> {
  return eventually(async () => ((await check()) ? true : undefined), timeoutMs, what);
}

/** Resolves with the first value `check` gives, polling; rejects after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
  what = 'the condition',
): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`${what} did not hold within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
