import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { killSpawned, spawnCli } from './spawn.js';

let emulator: Emulator;
beforeEach(async () => {
  emulator = await startEmulator({ expireJobs: false });
});
afterEach(async () => {
  killSpawned();
  await emulator.close();
});

describe('pleo-export claim', () => {
  it('claims the oldest job and prints it as one JSON line on stdout (exit 0)', async () => {
    const newer = emulator.createJob({ createdAt: '2026-11-30T10:00:00Z' });
    const older = emulator.createJob({ createdAt: '2026-11-30T10:30:00+01:00' });
    const run = spawnCli(['claim', '--api-url', emulator.url, '--token', emulator.token]);
    expect(await run.exit).toBe(0);
    const lines = run.stdout().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ id: older.id, status: 'in_progress' });
    expect(emulator.getJob(newer.id)?.status).toBe('pending');
  });

  it('exits 4 when nothing is eligible', async () => {
    emulator.createJob({ createdAt: '2026-11-30T10:00:00Z', status: 'completed' });
    const run = spawnCli(['claim', '--api-url', emulator.url], { PLEO_API_KEY: emulator.token });
    expect(await run.exit).toBe(4);
    expect(run.stdout()).toBe('');
  });

  it('exits 3 when the credentials are rejected, without echoing them', async () => {
    const run = spawnCli(['claim', '--api-url', emulator.url, '--token', 'wrong-token-123']);
    expect(await run.exit).toBe(3);
    expect(run.stderr()).toMatch(/rejected the credentials/);
    expect(run.stderr()).not.toContain('wrong-token-123');
  });

  it('exits 2 on bad usage', async () => {
    const run = spawnCli(['claim', '--token', 'x']);
    expect(await run.exit).toBe(2);
    expect(run.stderr()).toMatch(/--api-url/);
  });
});

describe('pleo-export claim, when something goes wrong', () => {
  it('exits 1 at once when Pleo cannot be reached, instead of retrying for ever', async () => {
    const run = spawnCli(['claim', '--api-url', 'http://127.0.0.1:1', '--token', 'x']);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toMatch(/detection failed/);
  });

  it('exits 1 naming the job when the claim answer was lost', async () => {
    const job = emulator.createJob({ createdAt: '2026-11-30T09:00:00Z' });
    emulator.addFault({ kind: 'resetAfterApply', route: 'jobEvents', times: 1 });
    const run = spawnCli(['claim', '--api-url', emulator.url, '--token', emulator.token]);
    expect(await run.exit).toBe(1);
    expect(run.stderr()).toContain(`the claim of job ${job.id} has an unknown outcome`);
    expect(run.stdout()).toBe('');
  });
});
