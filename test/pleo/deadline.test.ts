import { afterEach, describe, expect, it, vi } from 'vitest';
import { startDeadline } from '../../src/pleo/deadline.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('startDeadline', () => {
  it('aborts with a TimeoutError reason and marks itself expired', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const deadline = startDeadline(100);

    await vi.advanceTimersByTimeAsync(99);
    expect(deadline.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);

    expect(deadline.expired).toBe(true);
    expect(deadline.signal.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('follows the caller\'s abort without counting it as expiry', () => {
    const caller = new AbortController();
    const deadline = startDeadline(10_000, caller.signal);

    caller.abort(new Error('stop'));

    expect(deadline.signal.aborted).toBe(true);
    expect(deadline.expired).toBe(false);
    deadline.dispose();
  });

  it('starts aborted when the caller already aborted', () => {
    const deadline = startDeadline(10_000, AbortSignal.abort());

    expect(deadline.signal.aborted).toBe(true);
    deadline.dispose();
  });

  it('lets go of the caller\'s signal and its timer once disposed', () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const caller = new AbortController();
    const deadline = startDeadline(10_000, caller.signal);

    deadline.dispose();
    caller.abort();

    expect(deadline.signal.aborted).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
  });
});
