/**
 * `pleo-export run`: the daemon. Detects on start, polls on a schedule,
 * serves `/trigger`, `/status` and `/healthz`, and stops cleanly on
 * SIGINT/SIGTERM (a second signal exits at once).
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { PleoExportError } from '../errors.js';
import { createLogger } from '../logger.js';
import {
  createExportOrchestrator,
  type ExportOrchestrator,
} from '../orchestrator/orchestrator.js';
import type { FailureInfo, OrchestratorEvent } from '../orchestrator/types.js';
import { startControlServer } from './control-server.js';
import { UsageError } from './flags.js';
import { loadProcessorModule } from './load-processor.js';
import type { CliIo } from './main.js';
import { parseRunConfig, type RunConfig } from './run-config.js';
import { startSandbox, type Sandbox } from './sandbox.js';

export const RUN_USAGE = `Usage: pleo-export run [options]

Detects, claims and processes Pleo export jobs, one at a time, until stopped.
With no --api-url it runs a sandbox against the built-in emulator.

Options (environment variable in brackets):
  --api-url URL          Pleo API base URL [PLEO_API_URL]
  --token TOKEN          OAuth2 bearer token [PLEO_API_TOKEN]
  --api-key KEY          API key, sent as HTTP Basic [PLEO_API_KEY]
  --company-id ID        company to export (organisation credentials) [PLEO_COMPANY_ID]
  --poll CRON            fallback poll schedule, or 'off' [PLEO_POLL_CRON]
                         default '*/5 * * * *' (sandbox: every 10 seconds)
  --processor MODULE     JS module whose default export processes a job [PLEO_PROCESSOR]
  --state-dir DIR        where the held job is remembered [PLEO_STATE_DIR]
                         default ./.pleo-export (sandbox: a temporary directory)
  --exclusive            wait while another worker's job is in progress [PLEO_EXCLUSIVE]
  --sole-worker          this is the company's only worker [PLEO_SOLE_WORKER]
  --once                 drain every eligible job, then exit
  --port N               HTTP port for /trigger, /status, /healthz [PORT] (default 8080)
  --host HOST            HTTP bind address [HOST] (default 127.0.0.1)
  --log-level LEVEL      fatal|error|warn|info|debug|trace|silent [LOG_LEVEL]
  -h, --help             show this help

Exit codes: 0 stopped or drained, 1 failure, 2 bad usage, 3 credentials rejected.
`;

export const EXIT = { ok: 0, failure: 1, usage: 2, authRejected: 3, nothing: 4 } as const;

export async function runCommand(args: string[], io: CliIo): Promise<number> {
  let config: RunConfig;
  try {
    config = parseRunConfig(args, io.env);
  } catch (error) {
    return reportStartupError(error, io);
  }
  if (config.help) {
    io.stdout.write(RUN_USAGE);
    return EXIT.ok;
  }

  const logger = createLogger({ level: config.logLevel, destination: 1 });
  let sandbox: Sandbox | undefined;
  let orchestrator: ExportOrchestrator | undefined;
  try {
    if (config.apiUrl === undefined) sandbox = await startSandbox(logger, config.stateDir);
    orchestrator = await startOrchestrator(config, logger, sandbox);
    const server = await startControlServer({
      host: config.host,
      port: config.port,
      trigger: () => orchestrator!.trigger('manual'),
      status: () => orchestrator!.status(),
      healthy: () => {
        const status = orchestrator!.status();
        return status.running && status.state !== 'fatal';
      },
      onError: (error) => logger.error({ err: error }, 'control server request failed'),
    });
    logger.info({ url: server.url }, 'control server listening (/trigger, /status, /healthz)');
    try {
      return await untilDone(orchestrator, config, logger, io);
    } finally {
      await server.close();
    }
  } catch (error) {
    return reportStartupError(error, io);
  } finally {
    await orchestrator?.stop().catch(() => undefined);
    await sandbox?.close();
  }
}

async function startOrchestrator(
  config: RunConfig,
  logger: Logger,
  sandbox: Sandbox | undefined,
): Promise<ExportOrchestrator> {
  const loaded = config.processorModule
    ? await loadProcessorModule(config.processorModule)
    : undefined;
  const poll = config.poll ?? (sandbox ? '*/10 * * * * *' : undefined);
  const orchestrator = createExportOrchestrator({
    apiUrl: sandbox?.emulator.url ?? config.apiUrl!,
    credentials: sandbox ? { token: sandbox.emulator.token } : config.credentials!,
    companyId: config.companyId,
    schedule: config.once || poll === 'off' ? false : poll,
    processor: loaded?.processor ?? sandbox?.processor,
    preChecks: loaded?.preChecks ?? [],
    exclusive: config.exclusive,
    soleWorker: config.soleWorker,
    stateDir: sandbox?.stateDir ?? config.stateDir ?? path.resolve('.pleo-export'),
    logger,
  });
  if (!loaded && !sandbox) {
    logger.warn('no --processor given: claimed jobs wait for a processor that never comes');
  }
  await orchestrator.start();
  return orchestrator;
}

/** Resolves with the exit code: on a signal, on a fatal error, or when `--once` drains. */
function untilDone(
  orchestrator: ExportOrchestrator,
  config: RunConfig,
  logger: Logger,
  io: CliIo,
): Promise<number> {
  return new Promise((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(130);
      }
      logger.info({ signal }, 'stopping: letting the current step finish');
      finish(EXIT.ok);
    };
    const onFatal = (error: FailureInfo | null) => {
      io.stderr.write(`${describeFatal(error)}\n`);
      finish(error?.code === 'PLEO_AUTH_REJECTED' ? EXIT.authRejected : EXIT.failure);
    };
    const unsubscribe = orchestrator.subscribe((event: OrchestratorEvent) => {
      if (event.type === 'fatal') onFatal(event.error);
    });
    const finish = (code: number) => {
      unsubscribe();
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      void orchestrator.stop().then(
        () => resolve(code),
        (error: unknown) => {
          logger.error({ err: error }, 'stopping failed');
          resolve(EXIT.failure);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    const current = orchestrator.status();
    if (current.state === 'fatal') return onFatal(current.lastFailure);
    if (config.once) {
      void orchestrator.settled().then((status) => {
        if (status.state !== 'fatal') finish(EXIT.ok);
      });
    }
  });
}

/** The one line a person reads when the orchestrator cannot go on. */
export function describeFatal(error: FailureInfo | null): string {
  if (error?.code === 'PLEO_AUTH_REJECTED') {
    return 'pleo-export: Pleo rejected the credentials; check --token (PLEO_API_TOKEN) or '
      + '--api-key (PLEO_API_KEY) and the scopes export-jobs:read and export-jobs:write.';
  }
  return `pleo-export: stopped: ${error?.message ?? 'unknown error'}`;
}

export function reportStartupError(error: unknown, io: CliIo): number {
  const isConfig = error instanceof PleoExportError && error.code === 'CONFIG_INVALID';
  if (error instanceof UsageError || isConfig) {
    io.stderr.write(`pleo-export: ${error.message}\n`);
    return EXIT.usage;
  }
  if (error instanceof PleoExportError && error.code === 'PLEO_AUTH_REJECTED') {
    io.stderr.write('pleo-export: Pleo rejected the credentials.\n');
    return EXIT.authRejected;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.stderr.write(`pleo-export: ${message}\n`);
  return EXIT.failure;
}
