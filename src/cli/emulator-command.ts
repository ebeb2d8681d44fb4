import type { CliIo } from './main.js';

export async function emulatorCommand(_args: string[], io: CliIo): Promise<number> {
  io.stderr.write('pleo-export emulator: not available yet\n');
  return 1;
}
