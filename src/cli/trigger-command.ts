/** `pleo-export trigger`: the ad hoc trigger ("check now") of a running daemon. */
import { request } from 'undici';
import { UsageError, parseFlags, pick } from './flags.js';
import type { CliIo } from './main.js';
import { EXIT, reportStartupError } from './run-command.js';

const TRIGGER_USAGE = `Usage: pleo-export trigger [--url URL]

Asks a running 'pleo-export run' to detect export jobs now.
--url defaults to PLEO_EXPORT_URL or http://127.0.0.1:8080.
`;

export async function triggerCommand(args: string[], io: CliIo): Promise<number> {
  try {
    const { values } = parseFlags(args, {
      url: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    });
    if (values.help) {
      io.stdout.write(TRIGGER_USAGE);
      return EXIT.ok;
    }
    const base = pick(values.url, io.env, 'PLEO_EXPORT_URL') ?? 'http://127.0.0.1:8080';
    let target: URL;
    try {
      target = new URL('/trigger', base);
    } catch {
      throw new UsageError(`--url (PLEO_EXPORT_URL) must be the daemon's URL, got '${base}'.`);
    }
    const answer = await request(target, {
      method: 'POST',
      signal: AbortSignal.timeout(10_000),
    }).catch((error: unknown) => {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`cannot reach the daemon at ${base}: ${reason}`);
    });
    const body = await answer.body.text();
    if (answer.statusCode !== 202) {
      const refused = `the daemon refused the trigger (${answer.statusCode})`;
      io.stderr.write(`pleo-export: ${refused}: ${body}\n`);
      return EXIT.failure;
    }
    io.stdout.write('triggered\n');
    return EXIT.ok;
  } catch (error) {
    return reportStartupError(error, io);
  }
}
