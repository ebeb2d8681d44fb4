/**
 * `pleo-export run`: the daemon. Detects on start, polls on a schedule,
 * serves `/trigger`, `/status` and `/healthz`, and stops cleanly on
 * SIGINT/SIGTERM (a second signal exits at once).
 */
import path from 'node:path';
import type { Logger } from 'pino';
import { PleoExportError } from '../errors.js';
import { createLogger } from '../logger.js';
import type { OrchestratorOptions } from '../orchestrator/options.js';
import { createExportOrchestrator } from '../orchestrator/orchestrator.js';
import type { FailureInfo, OrchestratorEvent } from '../orchestrator/types.js';
import { createNodeWebhookHandler, type NodeWebhookHandler } from '../triggers/webhook-node.js';
import { sendJson, startControlServer, type RouteHandler } from './control-server.js';
import { loadCompaniesFile } from './companies-file.js';
import { multiTarget, singleTarget, type DaemonTarget } from './daemon-target.js';
import { UsageError } from './flags.js';
import { loadProcessorModule } from './load-processor.js';
import { watchSignals, type SignalWatch } from './signals.js';
import { probeStateDir } from './state-dir.js';
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
  --companies FILE       many companies, one lane each: JSON or YAML, credentials
                         named by environment variable [PLEO_COMPANIES_FILE]
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
  --inspect              show the machines in the Stately inspector (relay on
                         127.0.0.1; the viewer page is served by Stately)
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
  const signals = watchSignals(logger);
  let sandbox: Sandbox | undefined;
  let target: DaemonTarget | undefined;
  try {
    if (config.apiUrl === undefined) sandbox = await startSandbox(logger, config.stateDir);
    const webhook = webhookRoute(config, sandbox, () => target, logger);
    // Listen first: a port in use must fail before any job is claimed.
    const server = await startControlServer({
      host: config.host,
      port: config.port,
      trigger: () => target?.trigger('manual') === true,
      adopt: (jobId) => target?.adopt(jobId) ?? false,
      status: () => target?.status() ?? { state: 'starting', running: false },
      healthy: () => target?.healthy() ?? false,
      onError: (error) => logger.error({ err: error }, 'control server request failed'),
      ...(webhook ? { routes: { [WEBHOOK_PATH]: webhook.route } } : {}),
    });
    logger.info({ url: server.url }, 'control server listening (/trigger, /status, /healthz)');
    let running: DaemonTarget;
    try {
      running = target = await startOrchestrator(config, logger, sandbox, io.env);
    } catch (error) {
      await server.close();
      throw error;
    }
    if (sandbox && webhook) {
      const endpointUrl = `${loopbackUrl(server.url)}${WEBHOOK_PATH}`;
      webhook.use(sandbox.emulator.subscribe(endpointUrl).secret);
      logger.info({ endpointUrl }, 'sandbox: the emulator delivers webhooks to the daemon');
    }
    try {
      return await untilDone(running, config, signals, logger, io);
    } finally {
      await server.close();
    }
  } catch (error) {
    return reportStartupError(error, io);
  } finally {
    await target?.stop().catch(() => undefined);
    await sandbox?.close();
    signals.dispose();
  }
}

async function startOrchestrator(
  config: RunConfig,
  logger: Logger,
  sandbox: Sandbox | undefined,
  env: NodeJS.ProcessEnv,
): Promise<DaemonTarget> {
  const loaded = config.processorModule
    ? await loadProcessorModule(config.processorModule)
    : undefined;
  const stateDir = sandbox?.stateDir ?? config.stateDir ?? path.resolve('.pleo-export');
  await probeStateDir(stateDir);
  const companies = sandbox?.companies
    ?? (config.companiesFile ? await loadCompaniesFile(config.companiesFile, env) : undefined);
  const poll = config.poll ?? (sandbox ? '*/10 * * * * *' : undefined);
  const options: OrchestratorOptions = {
    apiUrl: sandbox?.emulator.url ?? config.apiUrl!,
    ...(sandbox ? {} : config.credentials ? { credentials: config.credentials } : {}),
    schedule: config.once || poll === 'off' ? false : poll,
    processor: loaded?.processor ?? sandbox?.processor,
    preChecks: loaded?.preChecks ?? [],
    exclusive: config.exclusive,
    soleWorker: config.soleWorker,
    stateDir,
    inspect: config.inspect,
    logger,
  };
  if (!loaded && !sandbox) {
    logger.warn('no --processor given: claimed jobs wait for a processor that never comes');
  }
  if (companies) {
    const fleet = createExportOrchestrator({ ...options, companies });
    await fleet.start();
    return multiTarget(fleet);
  }
  const single = createExportOrchestrator({ ...options, companyId: config.companyId });
  await single.start();
  return singleTarget(single);
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
  target: () => DaemonTarget | undefined,
  logger: Logger,
): WebhookRoute | undefined {
  if (config.webhookSecret === undefined && !sandbox) return undefined;
  let handler: NodeWebhookHandler | undefined;
  const use = (secret: string) => {
    handler = createNodeWebhookHandler({
      secret,
      onJobCreated: ({ companyId, jobId }) => {
        const accepted = target()?.trigger('webhook', companyId) ?? false;
        if (accepted !== 'unknown') return accepted;
        // Acknowledged so Pleo stops retrying: no lane here serves that company.
        logger.warn({ companyId, jobId }, 'webhook for a company this daemon does not serve');
        return true;
      },
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
  target: DaemonTarget,
  config: RunConfig,
  signals: SignalWatch,
  logger: Logger,
  io: CliIo,
): Promise<number> {
  return new Promise((resolve) => {
    let finished = false;
    const finish = (code: number) => {
      if (finished) return;
      finished = true;
      unsubscribe();
      void target.stop().then(
        () => resolve(code),
        (error: unknown) => {
          logger.error({ err: error }, 'stopping failed');
          resolve(EXIT.failure);
        },
      );
    };
    // One company's rejected credentials stop its lane only; the daemon
    // exits once no lane can go on.
    const onFatal = () => {
      const fatal = target.fatalLanes();
      if (fatal.length < target.laneCount()) return;
      for (const { error } of fatal) io.stderr.write(`${describeFatal(error)}\n`);
      const auth = fatal.some(({ error }) => error?.code === 'PLEO_AUTH_REJECTED');
      finish(auth ? EXIT.authRejected : EXIT.failure);
    };
    const unsubscribe = target.subscribe((event: OrchestratorEvent) => {
      if (event.type === 'fatal') onFatal();
    });
    void signals.received.then(() => finish(EXIT.ok));
    if (target.fatalLanes().length > 0) onFatal();
    if (config.once) {
      void target.settled().then(() => {
        const fatal = target.fatalLanes();
        if (fatal.length === 0) return finish(EXIT.ok);
        if (fatal.length === target.laneCount()) return;
        for (const { companyId, error } of fatal) {
          io.stderr.write(`${describeFatal(error)} (company ${companyId})\n`);
        }
        const auth = fatal.some(({ error }) => error?.code === 'PLEO_AUTH_REJECTED');
        finish(auth ? EXIT.authRejected : EXIT.failure);
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
