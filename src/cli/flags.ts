/**
 * Flag and environment parsing shared by the sub-commands. Every problem
 * becomes a {@link UsageError} naming the flag or variable, never a stack trace.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { PleoExportError } from '../errors.js';

export class UsageError extends PleoExportError {
  override name = 'UsageError' as const;
  constructor(message: string) {
    super('CONFIG_INVALID', message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;
type FlagValue<O> = O extends { type: 'boolean' } ? boolean : string;
export type FlagValues<T extends Options> = {
  [K in keyof T]?: T[K] extends { multiple: true } ? FlagValue<T[K]>[] : FlagValue<T[K]>;
};

export function parseFlags<T extends Options>(
  args: string[],
  options: T,
): { values: FlagValues<T>; positionals: string[] } {
  try {
    const parsed = parseArgs({ args, options, strict: true, allowPositionals: true });
    return { values: parsed.values as FlagValues<T>, positionals: parsed.positionals };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.replace(/\. To specify a positional.*$/s, '.'));
  }
}

/** A flag's value, else the environment variable's, else undefined. */
export function pick(
  flag: string | boolean | undefined,
  env: NodeJS.ProcessEnv,
  variable: string,
): string | undefined {
  if (typeof flag === 'string') return flag;
  const value = env[variable];
  return value === undefined || value === '' ? undefined : value;
}

export function parsePort(text: string | undefined, name: string, fallback: number): number {
  if (text === undefined) return fallback;
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new UsageError(`${name} must be a port number from 0 to 65535, got '${text}'.`);
  }
  return port;
}

export function parseBoolean(
  flag: boolean | string | undefined,
  env: NodeJS.ProcessEnv,
  variable: string,
): boolean {
  if (flag === true) return true;
  const value = env[variable]?.toLowerCase();
  if (value === undefined || value === '') return false;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new UsageError(`${variable} must be true or false, got '${env[variable]}'.`);
}
