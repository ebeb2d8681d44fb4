/**
 * `POST /adopt` on the daemon's control server and `pleo-export adopt`, the
 * operator's way to settle a claim whose outcome stayed unknown. Here the
 * server runs with a stand-in `adopt` so every answer can be provoked.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startControlServer, type ControlServer } from '../../src/cli/control-server.js';
import { runCli as cli } from './support/cli.js';

const JOB_ID = '0b7e4f8a-5c21-4d3e-8f90-1a2b3c4d5e6f';
let server: ControlServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(adopt?: (jobId: string) => boolean): Promise<string> {
  server = await startControlServer({
    host: '127.0.0.1',
    port: 0,
    trigger: () => true,
    status: () => ({}),
    healthy: () => true,
    ...(adopt ? { adopt } : {}),
  });
  return server.url;
}

function post(url: string, body: string, method = 'POST') {
  return fetch(`${url}/adopt`, {
    method,
    headers: { 'content-type': 'application/json' },
    ...(method === 'POST' ? { body } : {}),
  });
}

describe('POST /adopt', () => {
  it('answers 202 and hands the job id over when the orchestrator takes it', async () => {
    const taken: string[] = [];
    const url = await serve((jobId) => taken.push(jobId) > 0);
    const answer = await post(url, JSON.stringify({ jobId: JOB_ID }));
    expect(answer.status).toBe(202);
    expect(await answer.json()).toEqual({ accepted: true, jobId: JOB_ID });
    expect(taken).toEqual([JOB_ID]);
  });

  it('answers 409 with a reason when the orchestrator cannot take it now', async () => {
    const url = await serve(() => false);
    const answer = await post(url, JSON.stringify({ jobId: JOB_ID }));
    expect(answer.status).toBe(409);
    expect(await answer.json()).toMatchObject({ accepted: false, reason: expect.any(String) });
  });

  it.each([
    ['not JSON', '{jobId:'],
    ['no job id', '{}'],
    ['a job id that is not a UUID', JSON.stringify({ jobId: '../../etc' })],
    ['an unknown field', JSON.stringify({ jobId: JOB_ID, force: true })],
  ])('answers 400 to a body with %s, and adopts nothing', async (_, body) => {
    const taken: string[] = [];
    const url = await serve((jobId) => taken.push(jobId) > 0);
    const answer = await post(url, body);
    expect(answer.status).toBe(400);
    expect(taken).toEqual([]);
  });

  it('answers 413 to a body too large to be a job id', async () => {
    const url = await serve(() => true);
    const answer = await post(url, JSON.stringify({ jobId: JOB_ID, pad: 'x'.repeat(10_000) }));
    expect(answer.status).toBe(413);
  });

  it('answers 405 to anything but POST, and 404 when the daemon offers no adopt', async () => {
    expect((await post(await serve(() => true), '', 'GET')).status).toBe(405);
    await server?.close();
    expect((await post(await serve(), JSON.stringify({ jobId: JOB_ID }))).status).toBe(404);
  });
});

describe('pleo-export adopt', () => {
  it('exits 0 and says so when the daemon accepts', async () => {
    const url = await serve(() => true);
    const result = await cli(['adopt', JOB_ID, '--url', url]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`adopted ${JOB_ID}`);
  });

  it('exits 1 with the daemon\'s reason when it refuses', async () => {
    const url = await serve(() => false);
    const result = await cli(['adopt', JOB_ID, '--url', url]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/refused to adopt .*busy or holds a job/);
  });

  it('exits 2 without a job id, and 1 when no daemon answers', async () => {
    expect((await cli(['adopt'])).code).toBe(2);
    const unreachable = await cli(['adopt', JOB_ID, '--url', 'http://127.0.0.1:9']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot reach the daemon/);
  });
});
