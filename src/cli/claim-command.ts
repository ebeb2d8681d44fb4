/**
 * `pleo-export claim`: one detection and at most one claim, for shell
 * pipelines and cron-style deployments. The claimed job is printed as one
 * JSON line on stdout; logs go to stderr.
 */
import { createLogger } from '../logger.js';
import { MemoryStateStore } from '../persistence/state-store.js';
import { createExportOrchestrator } from '../orchestrator/orchestrator.js';
import type { OrchestratorEvent } from '../orchestrator/types.js';
import { UsageError, parseFlags, pick } from './flags.js';
import type { CliIo } from './main.js';
import { EXIT, describeFatal, reportStartupError } from './run-command.js';

const CLAIM_FLAGS = {
  'api-url': { type: 'string' },
  token: { type: 'string' },
  'api-key': { type: 'string' },
  'company-id': { type: 'string' },
  'log-level': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const CLAIM_USAGE = `Usage: pleo-export claim --api-url URL (--token T | --api-key K)
                          [--company-id ID]

Detects once and claims the oldest eligible job. Prints the claimed job as one
JSON line on stdout; whoever reads it must report the job's outcome to Pleo.

Exit codes: 0 claimed, 4 nothing eligible, 3 credentials rejected,
            2 bad usage or configuration, 1 anything else.
`;

export async function claimCommand(args: string[], io: CliIo): Promise<number> {
  try {
    const { values } = parseFlags(args, CLAIM_FLAGS);
    if (values.help) {
      io.stdout.write(CLAIM_USAGE);
      return EXIT.ok;
    }
    const apiUrl = pick(values['api-url'], io.env, 'PLEO_API_URL');
    const token = pick(values.token, io.env, 'PLEO_API_TOKEN');
    const apiKey = pick(values['api-key'], io.env, 'PLEO_API_KEY');
    if (!apiUrl) throw new UsageError('--api-url (PLEO_API_URL) is required.');
    if (!token === !apiKey) {
      throw new UsageError(
        'Give exactly one of --token (PLEO_API_TOKEN) or --api-key (PLEO_API_KEY).',
      );
    }
    const logger = createLogger({
      level: (pick(values['log-level'], io.env, 'LOG_LEVEL') ?? 'warn') as 'warn',
      destination: 2,
    });
    const orchestrator = createExportOrchestrator({
      apiUrl,
      credentials: token ? { token } : { apiKey: apiKey! },
      companyId: pick(values['company-id'], io.env, 'PLEO_COMPANY_ID'),
      schedule: false,
      store: new MemoryStateStore(),
      logger,
    });

    // One attempt only: a failed detection or an unclear claim ends the
    // command (exit 1) instead of backing off and retrying for ever.
    let claimedId: string | undefined;
    let fatal: OrchestratorEvent | undefined;
    let failure: string | undefined;
    let stopEarly!: () => void;
    const early = new Promise<void>((resolve) => (stopEarly = resolve));
    orchestrator.subscribe((event) => {
      if (event.type === 'job:claimed') claimedId = event.jobId;
      if (event.type === 'fatal') fatal = event;
      if (event.type === 'detect:failed') failure = `detection failed: ${event.error.message}`;
      if (event.type === 'claim:failed') failure = `claim failed: ${event.error.message}`;
      if (event.type === 'claim:unknown') {
        failure = `the claim of job ${event.jobId} has an unknown outcome `
          + `(${event.error.message}); Pleo may show it in progress: `
          + 'check it before claiming again';
      }
      if (failure) stopEarly();
    });
    await orchestrator.start();
    const status = await Promise.race([orchestrator.settled(), early.then(() => undefined)]);
    await orchestrator.stop(0);

    if (fatal?.type === 'fatal' || status?.state === 'fatal') {
      const error = fatal?.type === 'fatal' ? fatal.error : status?.lastFailure ?? null;
      io.stderr.write(`${describeFatal(error)}\n`);
      return error?.code === 'PLEO_AUTH_REJECTED' ? EXIT.authRejected : EXIT.failure;
    }
    if (failure) {
      io.stderr.write(`pleo-export: ${failure}\n`);
      return EXIT.failure;
    }
    if (!claimedId) return EXIT.nothing;
    const job = await orchestrator.client.getJob(claimedId);
    io.stdout.write(`${JSON.stringify(job)}\n`);
    return EXIT.ok;
  } catch (error) {
    return reportStartupError(error, io);
  }
}
