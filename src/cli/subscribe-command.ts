/**
 * `pleo-export subscribe`: subscribes an endpoint to Pleo's export-job
 * webhooks and prints the signing secret, once, for the daemon to verify
 * deliveries with. The secret is the only thing on stdout, so a script can
 * capture it; everything for a person goes to stderr.
 */
import { createPleoClient } from '../pleo/client.js';
import { WEBHOOK_JOB_CREATED_TYPES } from '../pleo/schemas.js';
import { UsageError, parseFlags, pick } from './flags.js';
import type { CliIo } from './main.js';
import { EXIT, reportStartupError } from './run-command.js';

const SUBSCRIBE_FLAGS = {
  'endpoint-url': { type: 'string' },
  'api-url': { type: 'string' },
  token: { type: 'string' },
  'api-key': { type: 'string' },
  'event-type': { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;

const DEFAULT_API_URL = 'https://external.pleo.io';
const DEFAULT_EVENT_TYPE = WEBHOOK_JOB_CREATED_TYPES[0];

export const SUBSCRIBE_USAGE = `Usage: pleo-export subscribe --endpoint-url URL
         (--token T | --api-key K) [--api-url URL] [--event-type TYPE]...

Subscribes URL to Pleo's webhooks and prints the signing secret on stdout.
Give that secret to the daemon as PLEO_WEBHOOK_SECRET (or --webhook-secret);
it serves deliveries at POST /webhooks/pleo.

Options (environment variable in brackets):
  --endpoint-url URL   where Pleo delivers, e.g. https://host.example/webhooks/pleo
  --api-url URL        Pleo API base URL [PLEO_API_URL] (default ${DEFAULT_API_URL})
  --token TOKEN        OAuth2 bearer token [PLEO_API_TOKEN]
  --api-key KEY        API key, sent as HTTP Basic [PLEO_API_KEY]
  --event-type TYPE    event to receive; repeat for more (default ${DEFAULT_EVENT_TYPE})
  -h, --help           show this help

Exit codes: 0 subscribed, 1 failure, 2 bad usage, 3 credentials rejected.
`;

export async function subscribeCommand(args: string[], io: CliIo): Promise<number> {
  try {
    const { values } = parseFlags(args, SUBSCRIBE_FLAGS);
    if (values.help) {
      io.stdout.write(SUBSCRIBE_USAGE);
      return EXIT.ok;
    }
    const endpointUrl = values['endpoint-url'];
    if (endpointUrl === undefined) throw new UsageError('--endpoint-url is required.');
    requireHttpUrl(endpointUrl, '--endpoint-url');
    const apiUrl = pick(values['api-url'], io.env, 'PLEO_API_URL') ?? DEFAULT_API_URL;
    requireHttpUrl(apiUrl, '--api-url (PLEO_API_URL)');
    const token = pick(values.token, io.env, 'PLEO_API_TOKEN');
    const apiKey = pick(values['api-key'], io.env, 'PLEO_API_KEY');
    if ((token === undefined) === (apiKey === undefined)) {
      throw new UsageError(
        'Give exactly one of --token (PLEO_API_TOKEN) or --api-key (PLEO_API_KEY).',
      );
    }
    const eventTypes = values['event-type'] ?? [DEFAULT_EVENT_TYPE];
    if (eventTypes.some((type) => type.trim() === '')) {
      throw new UsageError('--event-type must not be empty.');
    }

    const client = createPleoClient({
      baseUrl: apiUrl,
      credentials: token !== undefined ? { token } : { apiKey: apiKey ?? '' },
    });
    const subscription = await client.createSubscription({ endpointUrl, eventTypes });
    const secret = await client.getSubscriptionSecret(subscription.id);

    io.stdout.write(`${secret}\n`);
    io.stderr.write(
      `Subscribed ${subscription.endpointUrl} to ${subscription.eventTypes.join(', ')} `
        + `(subscription ${subscription.id}).\n`
        + 'Pass the secret above to the daemon as PLEO_WEBHOOK_SECRET '
        + '(or --webhook-secret) and keep it with your other secrets.\n',
    );
    return EXIT.ok;
  } catch (error) {
    return reportStartupError(error, io);
  }
}

function requireHttpUrl(text: string, flag: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`${flag} must be an http(s) URL, got '${text}'.`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${flag} must be an http(s) URL, got '${text}'.`);
  }
}
