/**
 * `pleo-export emulator`: serves the local Pleo Export API emulator until
 * SIGINT or SIGTERM, printing the URL and token a client needs.
 */
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { toError } from '../errors.js';
import {
  CONTROL_PREFIX,
  seedDemo,
  startEmulator,
  type ConflictStatus,
  type Emulator,
  type EmulatorOptions,
} from '../emulator/index.js';
import type { CliIo } from './main.js';

const USAGE = `Usage: pleo-export emulator [options]

Serves a local emulator of Pleo's Export API v3 until interrupted.

Options:
  --port N               port to listen on (default 0: any free port)
  --host H               interface to listen on (default 127.0.0.1)
  --token T              bearer token to accept (default: a random one)
  --seed N               seed of every random choice (default 1)
  --conflict-status S    status of an illegal job status change: 400, 409 or 422
                         (default 400)
  --seed-demo            create three demo companies with pending jobs
  --verbose              log each request to stderr (JSON lines)
  -h, --help             show this help

The control surface under ${CONTROL_PREFIX} has no auth: keep the emulator on
a loopback interface.
`;

const FLAGS = {
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  seed: { type: 'string' },
  'conflict-status': { type: 'string' },
  'seed-demo': { type: 'boolean' },
  verbose: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** A flag with a bad value; the message names the flag. */
class UsageError extends Error {
  override name = 'UsageError' as const;
}

/**
 * Runs the command; resolves to the exit code. `stop` ends the serving as a
 * signal would (for running the command in-process).
 */
export async function emulatorCommand(
  args: string[],
  io: CliIo,
  stop?: AbortSignal,
): Promise<number> {
  let parsed: ReturnType<typeof parseFlags>;
  try {
    parsed = parseFlags(args);
  } catch (error) {
    io.stderr.write(`pleo-export emulator: ${toError(error).message}\n`);
    io.stderr.write(`Run 'pleo-export emulator --help' for the options.\n`);
    return 2;
  }
  if (parsed.help) {
    io.stdout.write(USAGE);
    return 0;
  }

  let emulator: Emulator;
  try {
    emulator = await startEmulator({
      ...parsed.options,
      ...(parsed.verbose ? { logger: pino({ level: 'debug' }, io.stderr) } : {}),
    });
  } catch (error) {
    io.stderr.write(`pleo-export emulator: cannot start: ${toError(error).message}\n`);
    return 1;
  }

  if (parsed.seedDemo) seedDemo(emulator);
  io.stdout.write(
    `Pleo Export API emulator listening\n` +
      `url: ${emulator.url}\n` +
      `token: ${emulator.token}\n` +
      `control: ${emulator.url}${CONTROL_PREFIX} (no auth: loopback use only)\n` +
      (parsed.seedDemo ? `demo: ${emulator.jobs().length} jobs in 3 companies\n` : ''),
  );
  if (!isLoopback(parsed.options.host)) {
    io.stderr.write('warning: not a loopback interface; the control surface has no auth\n');
  }

  await untilStopped(stop);
  await emulator.close();
  io.stderr.write('emulator stopped\n');
  return 0;
}

function parseFlags(args: string[]) {
  const { values } = parseArgs({
    args,
    options: FLAGS,
    strict: true,
    allowPositionals: false,
  });
  const options: EmulatorOptions = { host: values.host ?? '127.0.0.1' };
  if (values.port !== undefined) options.port = integer('--port', values.port, 0, 65_535);
  if (values.seed !== undefined) {
    options.seed = integer('--seed', values.seed, 0, 2 ** 32 - 1);
  }
  if (values.token !== undefined) {
    if (!/^\S+$/.test(values.token)) {
      throw new UsageError('--token must be non-empty, without spaces.');
    }
    options.token = values.token;
  }
  const conflict = values['conflict-status'];
  if (conflict !== undefined) {
    if (conflict !== '400' && conflict !== '409' && conflict !== '422') {
      throw new UsageError(`--conflict-status must be 400, 409 or 422; got '${conflict}'.`);
    }
    options.conflictStatus = Number(conflict) as ConflictStatus;
  }
  return {
    options,
    help: values.help ?? false,
    seedDemo: values['seed-demo'] ?? false,
    verbose: values.verbose ?? false,
  };
}

function integer(flag: string, text: string, min: number, max: number): number {
  const value = /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!(value >= min && value <= max)) {
    const range = `an integer from ${min} to ${max}`;
    throw new UsageError(`${flag} must be ${range}; got '${text}'.`);
  }
  return value;
}

function isLoopback(host: string | undefined): boolean {
  if (host === undefined || host === 'localhost' || host === '::1') return true;
  return host.startsWith('127.');
}

/** Resolves on SIGINT, SIGTERM or `stop`, then forgets the signal handlers. */
function untilStopped(stop: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      process.off('SIGINT', done);
      process.off('SIGTERM', done);
      stop?.removeEventListener('abort', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    if (stop?.aborted) done();
    else stop?.addEventListener('abort', done);
  });
}
