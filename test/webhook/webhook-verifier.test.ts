import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { SignatureVerifier, type SignedHeaders } from '../../src/triggers/webhook-verifier.js';
import {
  OTHER_SECRET,
  SECRET,
  VECTOR_NOW_MS,
  jobCreatedBody,
  signedHeaders,
  vector,
} from './support.js';

const vectorHeaders: SignedHeaders = {
  id: vector.headers['webhook-id'],
  timestamp: vector.headers['webhook-timestamp'],
  signature: vector.headers['webhook-signature'],
};
const vectorBody = Buffer.from(vector.rawBody);
const atVectorTime = () => VECTOR_NOW_MS;

function headersOf(body: string, options: Parameters<typeof signedHeaders>[1] = {}) {
  const h = signedHeaders(body, options);
  const signature = h['webhook-signature'];
  return { id: h['webhook-id'], timestamp: h['webhook-timestamp'], signature };
}

afterEach(() => {
  vi.useRealTimers();
});

function thrownBy(action: () => unknown): Error | undefined {
  try {
    action();
  } catch (error) {
    return error as Error;
  }
  return undefined;
}

describe('SignatureVerifier', () => {
  it('accepts the test vector when its clock is set to the vector timestamp', () => {
    const verifier = new SignatureVerifier(vector.secret, { now: atVectorTime });

    expect(verifier.verify(vectorHeaders, vectorBody)).toEqual({
      ok: true,
      id: vector.headers['webhook-id'],
      timestampSeconds: VECTOR_NOW_MS / 1000,
    });
  });

  it('agrees with the library, whose own verify() accepts the vector at that time', () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(VECTOR_NOW_MS);

    const payload = new Webhook(vector.secret).verify(vector.rawBody, vector.headers);
    const verdict = new SignatureVerifier(vector.secret).verify(vectorHeaders, vectorBody);

    expect(payload).toMatchObject({ eventType: 'v1.export-job.created' });
    expect(verdict.ok).toBe(true);
  });

  it('refuses the test vector at the real time: its timestamp is stale', () => {
    const verifier = new SignatureVerifier(vector.secret);

    expect(verifier.verify(vectorHeaders, vectorBody)).toEqual({
      ok: false,
      reason: 'timestamp too old',
    });
  });

  it('refuses a body changed by one byte, even if it is the same JSON re-serialised', () => {
    const verifier = new SignatureVerifier(vector.secret, { now: atVectorTime });
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(vector.rawBody), null, 1));

    expect(verifier.verify(vectorHeaders, reserialised)).toMatchObject({ ok: false });
  });

  it('refuses a forged signature', () => {
    const verifier = new SignatureVerifier(SECRET);
    const body = jobCreatedBody();
    const forged = `v1,${Buffer.alloc(32, 7).toString('base64')}`;
    const headers = { ...headersOf(body), signature: forged };

    expect(verifier.verify(headers, Buffer.from(body))).toEqual({
      ok: false,
      reason: 'no matching signature',
    });
  });

  it('refuses a delivery signed with another secret', () => {
    const body = jobCreatedBody();
    const headers = headersOf(body, { secret: OTHER_SECRET });

    expect(new SignatureVerifier(SECRET).verify(headers, Buffer.from(body)).ok).toBe(false);
  });

  it('refuses timestamps older or newer than the tolerance, and accepts within it', () => {
    const body = jobCreatedBody();
    const now = Date.now();
    const verifier = new SignatureVerifier(SECRET, { toleranceSeconds: 60, now: () => now });
    const at = (offsetSeconds: number) =>
      verifier.verify(headersOf(body, { atMs: now + offsetSeconds * 1000 }), Buffer.from(body));

    expect(at(-61)).toEqual({ ok: false, reason: 'timestamp too old' });
    expect(at(61)).toEqual({ ok: false, reason: 'timestamp too far in the future' });
    expect(at(-59).ok).toBe(true);
    expect(at(59).ok).toBe(true);
  });

  it('refuses a delivery with any signing header missing or malformed', () => {
    const body = jobCreatedBody();
    const verifier = new SignatureVerifier(SECRET);
    const good = headersOf(body);
    const verify = (headers: SignedHeaders) => verifier.verify(headers, Buffer.from(body));

    expect(verify({ ...good, id: undefined })).toEqual({
      ok: false,
      reason: 'missing signature headers',
    });
    expect(verify({ ...good, timestamp: undefined }).ok).toBe(false);
    expect(verify({ ...good, signature: '' }).ok).toBe(false);
    expect(verify({ ...good, timestamp: `${good.timestamp}abc` })).toEqual({
      ok: false,
      reason: 'malformed webhook-timestamp',
    });
  });

  it('accepts a header listing several signatures when one of them matches', () => {
    const body = jobCreatedBody();
    const good = headersOf(body);
    const forged = `v1,${Buffer.alloc(32, 1).toString('base64')}`;
    const headers = { ...good, signature: `v1a,abc ${forged}  ${good.signature} v2,xyz` };

    expect(new SignatureVerifier(SECRET).verify(headers, Buffer.from(body)).ok).toBe(true);
  });

  it.each([
    ['no whsec_ prefix', 'mtvW2HsamGPHiS12IFg2wt2zuEuw4dqe'],
    ['not base64', 'whsec_not*base64!'],
    ['too short a key', 'whsec_c2hvcnQ='],
  ])('refuses a bad secret (%s) with a ConfigError naming it, not quoting it', (_, secret) => {
    const error = thrownBy(() => new SignatureVerifier(secret));

    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toMatch(/^secret /);
    expect(error?.message).not.toContain(secret.replace(/^whsec_/, ''));
  });

  it('refuses an empty secret with a ConfigError', () => {
    expect(() => new SignatureVerifier('')).toThrow(ConfigError);
  });
});
