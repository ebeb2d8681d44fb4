import { describe, expect, it } from 'vitest';
import { selectJob, sortOldestFirst } from '../src/selection.js';
import type { ExportJob } from '../src/pleo/schemas.js';

const job = (id: string, createdAt: string, status = 'pending', companyId = 'c1'): ExportJob => ({
  id,
  companyId,
  status,
  createdAt,
});
const NOW = Date.parse('2026-12-01T00:00:00Z');

describe('selectJob', () => {
  it('picks the oldest by instant, not by text, across offsets', () => {
    const jobs = [
      job('late-z', '2026-11-30T09:30:00Z'),
      job('early-offset', '2026-11-30T10:00:00+01:00'),
    ];
    expect(selectJob({ jobs, now: NOW }).selection).toMatchObject({
      kind: 'claim',
      job: { id: 'early-offset' },
    });
  });

  it('orders fractional seconds by value, below the millisecond too', () => {
    const jobs = [
      job('b', '2026-11-30T09:00:00.0005Z'),
      job('a', '2026-11-30T09:00:00.0004999Z'),
      job('c', '2026-11-30T09:00:00Z'),
    ];
    expect(sortOldestFirst(jobs).map((j) => j.id)).toEqual(['c', 'a', 'b']);
  });

  it('breaks ties by id', () => {
    const jobs = [job('b', '2026-11-30T09:00:00Z'), job('a', '2026-11-30T10:00:00+01:00')];
    expect(selectJob({ jobs, now: NOW }).selection).toMatchObject({ job: { id: 'a' } });
  });

  it('never selects a terminal or unknown status even if the server sent it', () => {
    const jobs = [
      job('done', '2026-11-30T08:00:00Z', 'completed'),
      job('failed', '2026-11-30T08:00:00Z', 'failed'),
      job('new-status', '2026-11-30T08:00:00Z', 'archived'),
      job('ok', '2026-11-30T09:00:00Z'),
    ];
    expect(selectJob({ jobs, now: NOW }).selection).toMatchObject({ job: { id: 'ok' } });
  });

  it('ignores jobs of other companies', () => {
    const jobs = [
      job('other', '2026-11-30T08:00:00Z', 'pending', 'c2'),
      job('mine', '2026-11-30T09:00:00Z'),
    ];
    expect(selectJob({ jobs, companyId: 'c1', now: NOW }).selection).toMatchObject({
      job: { id: 'mine' },
    });
  });

  it('resumes the held job when it is still in progress', () => {
    const jobs = [
      job('old', '2026-11-30T08:00:00Z'),
      job('held', '2026-11-30T09:00:00Z', 'in_progress'),
    ];
    const result = selectJob({ jobs, heldJobId: 'held', now: NOW });
    expect(result.selection).toMatchObject({ kind: 'resume', job: { id: 'held' } });
    expect(result.releasedHeldJob).toBe(false);
  });

  it('releases a held job that finished elsewhere and moves on', () => {
    const jobs = [
      job('held', '2026-11-30T08:00:00Z', 'completed'),
      job('next', '2026-11-30T09:00:00Z'),
    ];
    const result = selectJob({ jobs, heldJobId: 'held', now: NOW });
    expect(result.releasedHeldJob).toBe(true);
    expect(result.selection).toMatchObject({ kind: 'claim', job: { id: 'next' } });
  });

  it('skips a foreign in-progress job, or waits on it when exclusive', () => {
    const jobs = [
      job('theirs', '2026-11-30T08:00:00Z', 'in_progress'),
      job('next', '2026-11-30T09:00:00Z'),
    ];
    expect(selectJob({ jobs, now: NOW }).selection)
      .toMatchObject({ kind: 'claim', job: { id: 'next' } });
    expect(selectJob({ jobs, exclusive: true, now: NOW }).selection).toMatchObject({
      kind: 'wait',
      foreignJob: { id: 'theirs' },
    });
  });

  it('leaves a job lost in a race alone until its exclusion ends', () => {
    const jobs = [job('lost', '2026-11-30T08:00:00Z'), job('next', '2026-11-30T09:00:00Z')];
    const excludedUntil = { lost: NOW + 1000 };
    expect(selectJob({ jobs, excludedUntil, now: NOW }).selection)
      .toMatchObject({ job: { id: 'next' } });
    expect(selectJob({ jobs, excludedUntil, now: NOW + 1000 }).selection).toMatchObject({
      job: { id: 'lost' },
    });
  });

  it('reports an unknown claim that is in progress instead of processing it', () => {
    const jobs = [job('maybe', '2026-11-30T08:00:00Z', 'in_progress')];
    const result = selectJob({ jobs, unknownClaimIds: ['maybe'], now: NOW });
    expect(result.selection.kind).toBe('none');
    expect(result.unknownInProgress.map((j) => j.id)).toEqual(['maybe']);
  });

  it('adopts an unknown in-progress claim as its own when it is the sole worker', () => {
    const jobs = [job('maybe', '2026-11-30T08:00:00Z', 'in_progress')];
    const result = selectJob({ jobs, unknownClaimIds: ['maybe'], soleWorker: true, now: NOW });
    expect(result.selection).toMatchObject({ kind: 'resume', adopted: true, job: { id: 'maybe' } });
  });

  it('lets an unknown claim that is still pending be claimed afresh', () => {
    const jobs = [job('maybe', '2026-11-30T08:00:00Z')];
    const result = selectJob({ jobs, unknownClaimIds: ['maybe'], now: NOW });
    expect(result.selection).toMatchObject({ kind: 'claim', job: { id: 'maybe' } });
    expect(result.resolvedUnknownIds).toEqual(['maybe']);
  });
});
