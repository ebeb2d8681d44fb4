/**
 * docs/machine.md as the export-job machine defines it now. The `diagram`
 * script writes it; a test compares the committed file with it.
 */
import { exportJobMachine } from '../../machines/export-job.machine.js';
import { machineMarkdown } from './diagram.js';

export const MACHINE_DOC_PATH = 'docs/machine.md';

export function exportJobMachineDoc(): string {
  return machineMarkdown(exportJobMachine, 'machines/export-job.machine.ts');
}
