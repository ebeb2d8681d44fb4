#!/usr/bin/env node
import { main } from '../dist/src/cli/main.js';

// Exit once the command is done, even if a host processor left a timer or a
// socket behind after it was aborted: a stopped daemon must not linger.
main(process.argv.slice(2)).then(
  (code) => process.exit(typeof code === 'number' ? code : 0),
  (error) => {
    process.stderr.write(`pleo-export: ${error?.message ?? error}\n`);
    process.exit(1);
  },
);
