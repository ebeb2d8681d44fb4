/**
 * The library's pino logger: JSON by default, pretty when a person watches a
 * terminal, and secrets redacted wherever they might appear in a log object.
 */
import { pino, type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export type { Logger } from 'pino';

/** Keys that may hold a secret, at any of the depths a log object uses. */
const SECRET_KEYS = [
  'token',
  'apiKey',
  'webhookSecret',
  'secret',
  'password',
  'authorization',
  'credentials',
];
const REDACT_PATHS = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]);

export interface LoggerOptions {
  level?: LevelWithSilent;
  /** Pretty, coloured lines; defaults to whether the destination is a terminal. */
  pretty?: boolean;
  /** Where lines go; defaults to stdout (file descriptor 1). */
  destination?: 1 | 2;
}

/**
 * Creates the logger the CLI uses; hosts usually pass their own instead.
 *
 * @example
 * const logger = createLogger({ level: 'debug' });
 * logger.info({ jobId }, 'job claimed');
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const fd = options.destination ?? 1;
  const isTty = fd === 1 ? process.stdout.isTTY : process.stderr.isTTY;
  const base = {
    level: options.level ?? 'info',
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    base: { name: 'pleo-export' },
  };
  if (options.pretty ?? isTty === true) {
    const options = { destination: fd, colorize: isTty === true, sync: true, singleLine: true };
    return pino(base, pretty({ ...options, ignore: 'pid,hostname,name,component' }));
  }
  return pino(base, pino.destination({ dest: fd, sync: true }));
}

/** A logger that writes nothing: the default when a host passes none. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

/** Ensures a host-supplied logger also redacts, by making a redacting child. */
export function redactingChild(logger: Logger, bindings: Record<string, unknown>): Logger {
  return logger.child(bindings, { redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
}
