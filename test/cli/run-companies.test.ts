import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { killSpawned, spawnCli } from './spawn.js';

let emulator: Emulator;
let dir: string;
beforeEach(async () => {
  emulator = await startEmulator({
    expireJobs: false,
    tokens: [
      { token: 'secret-token-a', companyIds: ['company-a'] },
      { token: 'secret-token-b', companyIds: ['company-b'] },
    ],
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'cli-companies-'));
});
afterEach(async () => {
  killSpawned();
  await emulator.close();
  await rm(dir, { recursive: true, force: true });
});

const companiesYaml = `companies:
  - companyId: company-a
    tokenEnv: TOKEN_A
  - companyId: company-b
    tokenEnv: TOKEN_B
`;

describe('pleo-export run --companies', () => {
  it('drains every company from a YAML file, credentials taken from the environment', async () => {
    const file = path.join(dir, 'companies.yaml');
    await writeFile(file, companiesYaml);
    const a = emulator.createJob({ companyId: 'company-a', createdAt: '2026-11-30T09:00:00Z' });
    const b = emulator.createJob({ companyId: 'company-b', createdAt: '2026-11-30T09:00:00Z' });
    const run = spawnCli(
      ['run', '--api-url', emulator.url, '--companies', file, '--once', '--port', '0',
        '--state-dir', dir, '--processor', './test/fixtures/processor.mjs'],
      { TOKEN_A: 'secret-token-a', TOKEN_B: 'secret-token-b' },
    );
    expect(await run.exit).toBe(0);
    expect(emulator.getJob(a.id)?.status).toBe('completed');
    expect(emulator.getJob(b.id)?.status).toBe('completed');
    expect(run.stdout() + run.stderr()).not.toMatch(/secret-token/);
  });

  it('keeps serving the others when one token is rejected, and shows it in /status', async () => {
    const file = path.join(dir, 'companies.json');
    await writeFile(file, JSON.stringify([
      { companyId: 'company-a', tokenEnv: 'TOKEN_A' },
      { companyId: 'company-b', tokenEnv: 'TOKEN_B' },
    ]));
    const run = spawnCli(
      ['run', '--api-url', emulator.url, '--companies', file, '--port', '0', '--poll', 'off',
        '--state-dir', dir, '--processor', './test/fixtures/processor.mjs'],
      { TOKEN_A: 'secret-token-a', TOKEN_B: 'revoked-token' },
    );
    const url = JSON.parse(await run.waitForLine(/control server listening/)).url as string;
    await run.waitForLine(/stopped: cannot continue/);
    const job = emulator.createJob({ companyId: 'company-a', createdAt: '2026-11-30T09:00:00Z' });
    await fetch(`${url}/trigger`, { method: 'POST' });
    await run.waitForLine(new RegExp(`"jobId":"${job.id}".*"msg":"job completed"`));

    type Status = {
      lanes: Array<{ companyId: string; state: string; lastFailure: { code: string } | null }>;
    };
    let status: Status;
    for (let tries = 0; ; tries++) {
      status = await (await fetch(`${url}/status`)).json() as Status;
      if (status.lanes.every((lane) => lane.state !== 'detecting') || tries > 100) break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const byCompany = Object.fromEntries(status.lanes.map((lane) => [lane.companyId, lane]));
    expect(byCompany['company-b']).toMatchObject({
      state: 'fatal',
      lastFailure: { code: 'PLEO_AUTH_REJECTED' },
    });
    expect(byCompany['company-a']?.state).toBe('idle');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    expect(run.stdout() + run.stderr()).not.toMatch(/revoked-token|secret-token/);
  });

  it('refuses inline secrets and unset variables, naming them', async () => {
    const inline = path.join(dir, 'inline.yaml');
    await writeFile(inline, 'companies:\n  - companyId: company-a\n    token: abc123\n');
    const fixture = './test/fixtures/processor.mjs';
    const first = spawnCli(['run', '--api-url', emulator.url, '--companies', inline,
      '--processor', fixture]);
    expect(await first.exit).toBe(2);
    expect(first.stderr()).toMatch(/companies\.0\.token is an inline secret/);
    expect(first.stderr()).not.toContain('abc123');

    const file = path.join(dir, 'companies.yaml');
    await writeFile(file, companiesYaml);
    const second = spawnCli(['run', '--api-url', emulator.url, '--companies', file,
      '--processor', fixture], {
      TOKEN_A: 'x',
    });
    expect(await second.exit).toBe(2);
    expect(second.stderr()).toMatch(/TOKEN_B \(company company-b\) is not set/);
  });
});
