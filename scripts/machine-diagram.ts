/**
 * Writes docs/machine.md: the export-job machine as a Mermaid state diagram,
 * generated from its definition. Run `npm run diagram` after changing the
 * machine; test/model/diagram.test.ts fails until the file is regenerated.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MACHINE_DOC_PATH, exportJobMachineDoc } from '../src/inspect/machine-doc.js';

const target = fileURLToPath(new URL(`../${MACHINE_DOC_PATH}`, import.meta.url));
writeFileSync(target, exportJobMachineDoc());
console.log(`wrote ${target}`);
