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
import { createNodeWebhookHandler, type NodeWebhookHandler } from '../triggers/webhook-node.js';
import { sendJson, startControlServer, type RouteHandler } from './control-server.js';
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
  --webhook-secret S     serve POST /webhooks/pleo, verified with this 'whsec_'
                         secret (see 'pleo-export subscribe') [PLEO_WEBHOOK_SECRET]
                         sandbox: subscribed to the emulator automatically
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
    const webhook = webhookRoute(config, sandbox, () => orchestrator, logger);
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
      ...(webhook ? { routes: { [WEBHOOK_PATH]: webhook.route } } : {}),
    });
    logger.info({ url: server.url }, 'control server listening (/trigger, /status, /healthz)');
    if (sandbox && webhook) {
      const endpointUrl = `${loopbackUrl(server.url)}${WEBHOOK_PATH}`;
      webhook.use(sandbox.emulator.subscribe(endpointUrl).secret);
      logger.info({ endpointUrl }, 'sandbox: the emulator delivers webhooks to the daemon');
    }
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

export const WEBHOOK_PATH = '/webhooks/pleo';

interface WebhookRoute {
  route: RouteHandler;
  /** Starts verifying with `secret`; until then deliveries get 503 and are retried. */
  use(secret: string): void;
}

/**
 * The webhook route, when there is one: with `--webhook-secret` it verifies
 * at once (a bad secret fails before anything starts); in the sandbox the
 * secret comes from the emulator's subscription, made once the server listens.
 */
function webhookRoute(
  config: RunConfig,
  sandbox: Sandbox | undefined,
  orchestrator: () => ExportOrchestrator | undefined,
  logger: Logger,
): WebhookRoute | undefined {
  if (config.webhookSecret === undefined && !sandbox) return undefined;
  let handler: NodeWebhookHandler | undefined;
  const use = (secret: string) => {
    handler = createNodeWebhookHandler({
      secret,
      onJobCreated: () => orchestrator()?.trigger('webhook') ?? false,
      logger,
    });
  };
  if (sandbox && config.webhookSecret !== undefined) {
    logger.warn('sandbox: --webhook-secret ignored; the emulator subscription has its own');
  } else if (config.webhookSecret !== undefined) {
    try {
      use(config.webhookSecret);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new UsageError(`--webhook-secret (PLEO_WEBHOOK_SECRET): ${reason}`);
    }
  }
  return {
    route: (req, res) => {
      if (handler) return handler(req, res);
      req.resume();
      sendJson(res, 503, { error: 'webhook receiver not ready' });
    },
    use,
  };
}

/** The emulator delivers to loopback only; a wildcard bind is reachable there too. */
function loopbackUrl(url: string): string {
  return url.replace('//0.0.0.0:', '//127.0.0.1:').replace('//[::]:', '//[::1]:');
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
