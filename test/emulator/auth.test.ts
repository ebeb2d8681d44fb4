import { describe, expect, it } from 'vitest';
import { bodyOf, call, postEvent, start, type JobPage } from './harness.js';

const ACME = '11111111-1111-4111-8111-111111111111';
const GLOBEX = '22222222-2222-4222-8222-222222222222';
const basic = (user: string, password = '') =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('authentication', () => {
  it('refuses a request without credentials with 401 UNAUTHORIZED', async () => {
    const emulator = await start();
    const reply = await call(emulator, 'GET', '/v3/export-jobs', { token: null });
    expect(reply.status).toBe(401);
    expect(reply.json).toMatchObject({ type: 'UNAUTHORIZED', message: expect.any(String) });
  });

  it('refuses a wrong bearer token', async () => {
    const emulator = await start();
    const reply = await call(emulator, 'GET', '/v3/export-jobs', { token: 'guess' });
    expect(reply.status).toBe(401);
  });

  it('refuses a token once it is revoked', async () => {
    const emulator = await start({ token: 'demo-token' });
    expect((await call(emulator, 'GET', '/v3/export-jobs')).status).toBe(200);

    expect(emulator.revokeToken('demo-token')).toBe(true);
    const reply = await call(emulator, 'GET', '/v3/export-jobs');
    expect(reply.status).toBe(401);
    expect(emulator.requests().at(-1)?.auth).toBe('revoked:default');
  });

  it('accepts an API key as the Basic user name with an empty password', async () => {
    const emulator = await start({ tokens: ['api-key-1'] });
    const ok = await call(emulator, 'GET', '/v3/export-jobs', {
      token: null,
      headers: { authorization: basic('api-key-1') },
    });
    const withPassword = await call(emulator, 'GET', '/v3/export-jobs', {
      token: null,
      headers: { authorization: basic('api-key-1', 'secret') },
    });

    expect(ok.status).toBe(200);
    expect(withPassword.status).toBe(401);
    expect(emulator.requests().map((r) => r.auth)).toEqual(['basic:token-1', 'invalid']);
  });

  it('accepts a token added at runtime', async () => {
    const emulator = await start();
    emulator.addToken({ token: 'late-token', label: 'late' });
    const reply = await call(emulator, 'GET', '/v3/export-jobs', { token: 'late-token' });
    expect(reply.status).toBe(200);
    expect(emulator.requests()[0]?.auth).toBe('bearer:late');
  });

  it('never puts a credential in the request log', async () => {
    const emulator = await start({ token: 'very-secret-token', tokens: ['other-secret'] });
    await call(emulator, 'GET', '/v3/export-jobs');
    await call(emulator, 'GET', '/v3/export-jobs', { token: 'other-secret' });
    await call(emulator, 'GET', '/v3/export-jobs', {
      token: null,
      headers: { authorization: basic('other-secret') },
    });

    const log = JSON.stringify(emulator.requests());
    expect(log).not.toContain('very-secret-token');
    expect(log).not.toContain('other-secret');
    expect(log).not.toContain(Buffer.from('other-secret:').toString('base64'));
  });
});

describe('company-bound credentials', () => {
  async function twoCompanies() {
    const emulator = await start({
      tokens: [{ token: 'acme-only', companyIds: [ACME], label: 'acme' }],
    });
    const acmeJob = emulator.createJob({ companyId: ACME });
    const globexJob = emulator.createJob({ companyId: GLOBEX });
    return { emulator, acmeJob, globexJob };
  }

  it('list only the jobs of their companies', async () => {
    const { emulator, acmeJob } = await twoCompanies();
    const page = bodyOf<JobPage>(
      await call(emulator, 'GET', '/v3/export-jobs', { token: 'acme-only' }),
    );
    expect(page.data.map((j) => j.id)).toEqual([acmeJob.id]);
  });

  it('are refused 403 when asking for another company by company_id', async () => {
    const { emulator } = await twoCompanies();
    const reply = await call(emulator, 'GET', `/v3/export-jobs?company_id=${GLOBEX}`, {
      token: 'acme-only',
    });
    expect(reply.status).toBe(403);
    expect(reply.json).toMatchObject({ type: 'FORBIDDEN' });
  });

  it("see another company's job as not found, and cannot claim it", async () => {
    const { emulator, globexJob } = await twoCompanies();
    const read = await call(emulator, 'GET', `/v3/export-jobs/${globexJob.id}`, {
      token: 'acme-only',
    });
    const claim = await call(emulator, 'POST', '/v3/export-job-events', {
      token: 'acme-only',
      body: { event: 'started', jobId: globexJob.id },
    });

    expect([read.status, claim.status]).toEqual([404, 404]);
    expect(emulator.getJob(globexJob.id)?.status).toBe('pending');
  });

  it('leave organisation-wide tokens seeing every company', async () => {
    const { emulator, globexJob } = await twoCompanies();
    const page = bodyOf<JobPage>(await call(emulator, 'GET', '/v3/export-jobs'));
    expect(page.data).toHaveLength(2);
    expect((await postEvent(emulator, 'started', globexJob.id)).status).toBe(200);
  });
});
