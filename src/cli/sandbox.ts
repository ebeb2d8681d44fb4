/**
 * Sandbox mode: with no `--api-url`, `run` starts the emulator in-process
 * with demo companies and jobs, and a demo processor writing to a local
 * ledger, so a new user sees the whole loop without Pleo credentials.
 */
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { seedDemo, startEmulator, type Emulator } from '../emulator/index.js';
import { createDemoProcessor } from '../sandbox/demo-processor.js';
import type { Processor } from '../orchestrator/types.js';

export interface Sandbox {
  emulator: Emulator;
  /** The demo companies, each with its own company-bound token: one lane each. */
  companies: Array<{ companyId: string; credentials: { token: string } }>;
  stateDir: string;
  ledgerFile: string;
  processor: Processor;
  close(): Promise<void>;
}

/** How often the sandbox plays a user pressing Export in Pleo. */
const NEW_JOB_EVERY_MS = 20_000;

export async function startSandbox(logger: Logger, stateDir?: string): Promise<Sandbox> {
  const emulator = await startEmulator({});
  const companies = seedDemo(emulator);
  const lanes = companies.map((companyId, index) => {
    const token = `sandbox-company-${index + 1}`;
    emulator.addToken({ token, companyIds: [companyId], label: `company-${index + 1}` });
    return { companyId, credentials: { token } };
  });
  const dir = stateDir ?? (await mkdtemp(path.join(os.tmpdir(), 'pleo-export-sandbox-')));
  const ledgerFile = path.join(dir, 'ledger.jsonl');

  let turn = 0;
  const timer = setInterval(() => {
    const companyId = companies[turn++ % companies.length];
    const job = emulator.createJob({ companyId, numberOfItems: 1 + (turn % 4) });
    logger.info({ jobId: job.id, companyId }, 'sandbox: a user pressed Export in Pleo');
  }, NEW_JOB_EVERY_MS);
  timer.unref();

  logger.info(
    { emulator: emulator.url, ledger: ledgerFile, companies },
    'sandbox: no --api-url given, running against the built-in Pleo emulator',
  );
  return {
    emulator,
    companies: lanes,
    stateDir: dir,
    ledgerFile,
    processor: createDemoProcessor({ ledgerFile }),
    close: async () => {
      clearInterval(timer);
      await emulator.close();
    },
  };
}
