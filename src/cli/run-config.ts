/**
 * The settings of `pleo-export run` and `pleo-export claim`, from flags and
 * environment variables, checked before anything starts.
 */
import { validate as isValidCron } from 'node-cron';
import type { LevelWithSilent } from 'pino';
import type { PleoCredentials } from '../pleo/credentials.js';
import { UsageError, parseBoolean, parseFlags, parsePort, pick } from './flags.js';

export const RUN_FLAGS = {
  'api-url': { type: 'string' },
  token: { type: 'string' },
  'api-key': { type: 'string' },
  'company-id': { type: 'string' },
  companies: { type: 'string' },
  poll: { type: 'string' },
  processor: { type: 'string' },
  'state-dir': { type: 'string' },
  exclusive: { type: 'boolean' },
  'sole-worker': { type: 'boolean' },
  once: { type: 'boolean' },
  port: { type: 'string' },
  host: { type: 'string' },
  'log-level': { type: 'string' },
  'webhook-secret': { type: 'string' },
  inspect: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface RunConfig {
  /** Undefined: sandbox mode against the built-in emulator. */
  apiUrl: string | undefined;
  credentials: PleoCredentials | undefined;
  companyId: string | undefined;
  companiesFile: string | undefined;
  poll: string | undefined;
  processorModule: string | undefined;
  stateDir: string | undefined;
  exclusive: boolean;
  soleWorker: boolean;
  once: boolean;
  port: number;
  host: string;
  logLevel: LevelWithSilent;
  webhookSecret: string | undefined;
  inspect: boolean;
  help: boolean;
}

const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseRunConfig(args: string[], env: NodeJS.ProcessEnv): RunConfig {
  const { values } = parseFlags(args, RUN_FLAGS);
  const apiUrl = pick(values['api-url'], env, 'PLEO_API_URL');
  if (apiUrl !== undefined && !/^https?:\/\/[^\s]+$/.test(apiUrl)) {
    throw new UsageError(`--api-url (PLEO_API_URL) must be an http(s) URL, got '${apiUrl}'.`);
  }

  const token = pick(values.token, env, 'PLEO_API_TOKEN');
  const apiKey = pick(values['api-key'], env, 'PLEO_API_KEY');
  if (token !== undefined && apiKey !== undefined) {
    throw new UsageError(
      'Give either --token (PLEO_API_TOKEN) or --api-key (PLEO_API_KEY), not both.',
    );
  }
  const companiesFile = pick(values.companies, env, 'PLEO_COMPANIES_FILE');
  const companyId = pick(values['company-id'], env, 'PLEO_COMPANY_ID');
  if (companiesFile !== undefined && companyId !== undefined) {
    throw new UsageError('Give either --company-id or --companies, not both.');
  }
  if (companiesFile !== undefined && apiUrl === undefined) {
    throw new UsageError('--companies needs --api-url (the sandbox has its own companies).');
  }
  if (apiUrl !== undefined && !companiesFile && token === undefined && apiKey === undefined) {
    throw new UsageError(
      '--api-url needs credentials: --token (PLEO_API_TOKEN) or --api-key (PLEO_API_KEY).',
    );
  }
  const credentials = token !== undefined
    ? { token }
    : apiKey !== undefined ? { apiKey } : undefined;

  const processorModule = pick(values.processor, env, 'PLEO_PROCESSOR');
  if (apiUrl !== undefined && processorModule === undefined) {
    // Without a processor a claimed job would stay `in_progress` in Pleo,
    // blocking the customer's export until it expires.
    throw new UsageError(
      '--processor (PLEO_PROCESSOR) is required with --api-url: without one, '
        + 'claimed jobs would stay in progress. Use `pleo-export claim` to only claim.',
    );
  }

  const poll = pick(values.poll, env, 'PLEO_POLL_CRON');
  if (poll !== undefined && poll !== 'off' && !isValidCron(poll)) {
    throw new UsageError(`--poll (PLEO_POLL_CRON) is not a valid cron expression: '${poll}'.`);
  }

  const logLevel = (pick(values['log-level'], env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LEVELS.includes(logLevel)) {
    throw new UsageError(
      `--log-level (LOG_LEVEL) must be one of ${LEVELS.join(', ')}, got '${logLevel}'.`,
    );
  }

  return {
    apiUrl,
    credentials,
    companyId,
    companiesFile,
    poll,
    processorModule,
    stateDir: pick(values['state-dir'], env, 'PLEO_STATE_DIR'),
    exclusive: parseBoolean(values.exclusive, env, 'PLEO_EXCLUSIVE'),
    soleWorker: parseBoolean(values['sole-worker'], env, 'PLEO_SOLE_WORKER'),
    once: values.once === true,
    port: parsePort(pick(values.port, env, 'PORT'), '--port (PORT)', 8080),
    host: pick(values.host, env, 'HOST') ?? '127.0.0.1',
    logLevel: logLevel as LevelWithSilent,
    webhookSecret: pick(values['webhook-secret'], env, 'PLEO_WEBHOOK_SECRET'),
    inspect: values.inspect === true,
    help: values.help === true,
  };
}
