/**
 * `pleo-export`: the command-line entry. Each sub-command lives in its own
 * file and returns the process exit code.
 */
import { adoptCommand } from './adopt-command.js';
import { claimCommand } from './claim-command.js';
import { emulatorCommand } from './emulator-command.js';
import { runCommand } from './run-command.js';
import { subscribeCommand } from './subscribe-command.js';
import { triggerCommand } from './trigger-command.js';

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
}

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  run: runCommand,
  claim: claimCommand,
  trigger: triggerCommand,
  adopt: adoptCommand,
  emulator: emulatorCommand,
  subscribe: subscribeCommand,
};

const USAGE = `Usage: pleo-export <command> [options]

Commands:
  run         the daemon: detect, claim and process export jobs until stopped
  claim       detect once and claim at most one job; print it as JSON
  trigger     ask a running daemon to detect now
  adopt       tell a running daemon a job whose claim outcome is unknown is its own
  emulator    serve the local Pleo Export API emulator
  subscribe   subscribe an endpoint to Pleo's webhooks; print the signing secret

Run 'pleo-export <command> --help' for a command's options.
`;

export async function main(
  argv: string[],
  io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(USAGE);
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr.write(`pleo-export: unknown command '${name}'\n\n${USAGE}`);
    return 2;
  }
  return command(rest, io);
}
