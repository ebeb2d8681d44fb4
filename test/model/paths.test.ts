/**
 * Every path generated from the production machine, run against the real
 * orchestrator and the emulator over loopback.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { MODEL_CONFIGS } from './configs.js';
import { generateAllPaths } from './generate.js';
import { describePath, replay } from './model-path.js';
import { runPath } from './run-path.js';

const paths = generateAllPaths();
const steps = paths.reduce((sum, path) => sum + path.steps.length, 0);
const origins = (['shortest', 'simple', 'edge'] as const)
  .map((origin) => `${paths.filter((path) => path.origin === origin).length} ${origin}`)
  .join(', ');
console.log(`model-based tests: ${paths.length} generated paths (${origins}), ${steps} steps`);

let emulator: Emulator;
beforeAll(async () => {
  emulator = await startEmulator({ seed: 7, expireJobs: false });
});
afterAll(async () => {
  await emulator.close();
});

describe(`the orchestrator follows each of the ${paths.length} generated paths`, () => {
  it.each(paths.map((path) => [describePath(path), path] as const))(
    '%s, keeping the rules',
    async (_name, path) => {
      const run = await runPath(path, emulator);
      expect(run.violations).toEqual([]);
    },
  );
});

describe('the path runner', () => {
  it('fails a path whose states the orchestrator does not reach', async () => {
    const config = MODEL_CONFIGS[0]!;
    const found = replay(config, ['trigger:manual', 'detect:pending'], 'edge');
    const empty = replay(config, ['trigger:manual', 'detect:none'], 'edge');
    const [trigger, detection] = found.steps;
    const wrong = { ...found, steps: [trigger!, { ...detection!, state: empty.steps[1]!.state }] };
    await expect(runPath(wrong, emulator, 300)).rejects.toThrow('not where the model is');
  });
});
