import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { DedupeCache } from '../../src/triggers/dedupe-cache.js';
import { createWebhookHandler } from '../../src/triggers/webhook.js';
import { SECRET, jobCreatedBody, signedHeaders } from './support.js';

describe('DedupeCache', () => {
  it('remembers an id it was given and nothing else', () => {
    const cache = new DedupeCache();
    cache.add('a', 0);

    expect(cache.has('a', 1)).toBe(true);
    expect(cache.has('b', 1)).toBe(false);
  });

  it('never holds more than maxEntries, forgetting the oldest first', () => {
    const cache = new DedupeCache({ maxEntries: 3 });
    for (const [i, id] of ['a', 'b', 'c', 'd', 'e'].entries()) cache.add(id, i);

    expect(cache.size).toBe(3);
    expect(['a', 'b', 'c', 'd', 'e'].filter((id) => cache.has(id, 10))).toEqual(['c', 'd', 'e']);
  });

  it('forgets an id once ttlMs has passed', () => {
    const cache = new DedupeCache({ ttlMs: 1_000 });
    cache.add('a', 0);

    expect(cache.has('a', 999)).toBe(true);
    expect(cache.has('a', 1_000)).toBe(false);
  });

  it('drops expired ids from memory as new ones arrive', () => {
    const cache = new DedupeCache({ ttlMs: 1_000 });
    for (let i = 0; i < 100; i++) cache.add(`old-${i}`, 0);
    cache.add('new', 5_000);

    expect(cache.size).toBe(1);
  });

  it('restarts the time of an id added again and keeps it from early eviction', () => {
    const cache = new DedupeCache({ maxEntries: 2, ttlMs: 1_000 });
    cache.add('a', 0);
    cache.add('b', 1);
    cache.add('a', 500);
    cache.add('c', 600);

    expect(cache.has('a', 1_200)).toBe(true);
    expect(cache.has('b', 700)).toBe(false);
  });

  it('refuses a non-positive size or time to live', () => {
    expect(() => new DedupeCache({ maxEntries: 0 })).toThrow(ConfigError);
    expect(() => new DedupeCache({ ttlMs: -1 })).toThrow(ConfigError);
  });
});

describe('webhook dedupe through the handler', () => {
  function handlerWith(dedupe: { maxEntries?: number; ttlMs?: number }, clock: { ms: number }) {
    let triggers = 0;
    const handle = createWebhookHandler({
      secret: SECRET,
      onJobCreated: () => {
        triggers += 1;
      },
      dedupe,
      now: () => clock.ms,
    });
    const deliver = (id: string) => {
      const body = jobCreatedBody();
      const headers = signedHeaders(body, { id, atMs: clock.ms });
      return handle({ method: 'POST', headers, rawBody: body }).status;
    };
    return { deliver, triggers: () => triggers };
  }

  it('triggers again for an id evicted by newer ones (the cache is bounded)', () => {
    const clock = { ms: Date.now() };
    const { deliver, triggers } = handlerWith({ maxEntries: 2 }, clock);

    for (const id of ['m1', 'm2', 'm3', 'm1']) deliver(id);

    expect(triggers()).toBe(4);
  });

  it('triggers again for an id redelivered after its ttl expired', () => {
    const clock = { ms: Date.now() };
    const { deliver, triggers } = handlerWith({ ttlMs: 60_000 }, clock);

    expect(deliver('m1')).toBe(202);
    clock.ms += 30_000;
    expect(deliver('m1')).toBe(200);
    clock.ms += 31_000;
    expect(deliver('m1')).toBe(202);
    expect(triggers()).toBe(2);
  });
});
