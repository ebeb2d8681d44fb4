import { describe, expect, it } from 'vitest';
import {
  ExportItemSchema,
  ExportJobItemSchema,
  ItemUpdateResponseSchema,
} from '../../src/pleo/schemas.js';
import type { ExportItemRecord } from '../../src/emulator/index.js';
import { bodyOf, call, start } from './harness.js';

interface ItemPage<T> {
  data: T[];
  pagination: { hasNextPage: boolean; endCursor: string | null; total: number };
}

const UNKNOWN_ENTRY = '99999999-8888-4777-8666-555555555555';

async function allPages<T>(emulator: Awaited<ReturnType<typeof start>>, path: string) {
  const items: T[] = [];
  let after = '';
  for (;;) {
    const separator = path.includes('?') ? '&' : '?';
    const reply = await call(emulator, 'GET', `${path}${separator}limit=2${after}`);
    const page = bodyOf<ItemPage<T>>(reply);
    items.push(...page.data);
    if (!page.pagination.hasNextPage) return items;
    after = `&after=${encodeURIComponent(page.pagination.endCursor ?? '')}`;
  }
}

describe('GET /v3/export-jobs/{jobId}/items', () => {
  it('pages through every item of the job, all pending at first', async () => {
    const emulator = await start();
    const job = emulator.createJob({ numberOfItems: 5 });
    const items = await allPages<Record<string, unknown>>(
      emulator,
      `/v3/export-jobs/${job.id}/items`,
    );

    expect(items).toHaveLength(5);
    for (const item of items) {
      expect(ExportJobItemSchema.parse(item)).toMatchObject({
        exportJobId: job.id,
        status: 'pending',
      });
    }
    expect(items.map((i) => i['accountingEntryId'])).toEqual(
      emulator.jobItems(job.id).map((i) => i.accountingEntryId),
    );
  });

  it('answers 404 for an unknown job', async () => {
    const emulator = await start();
    const reply = await call(emulator, 'GET', `/v3/export-jobs/${UNKNOWN_ENTRY}/items`);
    expect(reply.status).toBe(404);
  });
});

describe('PUT /v3/export-jobs/{jobId}/items', () => {
  it('updates the known items and reports unknown entries one by one', async () => {
    const emulator = await start();
    const job = emulator.createJob({ status: 'in_progress', numberOfItems: 2 });
    const [first] = emulator.jobItems(job.id);
    const reply = await call(emulator, 'PUT', `/v3/export-jobs/${job.id}/items`, {
      body: [
        {
          accountingEntryId: first!.accountingEntryId,
          status: 'successful',
          exportedAt: '2026-11-30T09:15:10Z',
          externalId: 'JE-2026-004211',
        },
        { accountingEntryId: UNKNOWN_ENTRY, status: 'failed' },
      ],
    });

    expect(reply.status).toBe(200);
    const body = ItemUpdateResponseSchema.parse(reply.json);
    expect(body.data).toEqual([
      expect.objectContaining({ status: 'successful', externalId: 'JE-2026-004211' }),
    ]);
    expect(body.errors).toEqual([
      expect.objectContaining({
        accountingEntryId: UNKNOWN_ENTRY,
        type: 'ACCOUNTING_ENTRY_DOES_NOT_EXIST',
      }),
    ]);
    expect(emulator.jobItems(job.id).map((i) => i.status)).toEqual(['successful', 'pending']);
  });

  it('refuses more than 100 updates in one call', async () => {
    const emulator = await start();
    const job = emulator.createJob({ status: 'in_progress' });
    const updates = Array.from({ length: 101 }, () => ({
      accountingEntryId: UNKNOWN_ENTRY,
      status: 'successful',
    }));
    const path = `/v3/export-jobs/${job.id}/items`;
    const reply = await call(emulator, 'PUT', path, { body: updates });

    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ type: 'TOO_MANY_ITEMS' });
  });

  it('refuses an update whose status is not an item status, naming the field', async () => {
    const emulator = await start();
    const job = emulator.createJob({ status: 'in_progress' });
    const reply = await call(emulator, 'PUT', `/v3/export-jobs/${job.id}/items`, {
      body: [{ accountingEntryId: UNKNOWN_ENTRY, status: 'done' }],
    });

    expect(reply.status).toBe(400);
    expect(reply.json).toMatchObject({ type: 'VALIDATION_ERROR' });
    expect(bodyOf(reply)['message']).toContain('0.status');
  });

  it('refuses updates unless the job is in_progress, with the conflict status', async () => {
    const emulator = await start({ conflictStatus: 422 });
    const job = emulator.createJob({ status: 'pending' });
    const [item] = emulator.jobItems(job.id);
    const reply = await call(emulator, 'PUT', `/v3/export-jobs/${job.id}/items`, {
      body: [{ accountingEntryId: item!.accountingEntryId, status: 'successful' }],
    });

    expect(reply.status).toBe(422);
    expect(reply.json).toMatchObject({ type: 'INVALID_EXPORT_JOB_STATUS' });
  });

  it('accepts updates of any job when strictItemUpdates is off', async () => {
    const emulator = await start({ strictItemUpdates: false });
    const job = emulator.createJob({ status: 'pending' });
    const [item] = emulator.jobItems(job.id);
    const reply = await call(emulator, 'PUT', `/v3/export-jobs/${job.id}/items`, {
      body: [{ accountingEntryId: item!.accountingEntryId, status: 'abandoned' }],
    });
    expect(reply.status).toBe(200);
  });
});

describe('GET /v3/export-items?job_id=', () => {
  it('pages through the accounting data of every item', async () => {
    const emulator = await start();
    const job = emulator.createJob({ numberOfItems: 5 });
    const path = `/v3/export-items?job_id=${job.id}`;
    const items = await allPages<ExportItemRecord>(emulator, path);

    expect(items).toHaveLength(5);
    for (const item of items) expect(ExportItemSchema.safeParse(item).success).toBe(true);
    expect(items).toEqual(emulator.exportItems(job.id));
  });

  it('serves amounts in minor units whose lines, net and tax add up', async () => {
    const emulator = await start();
    const job = emulator.createJob({ numberOfItems: 40 });

    for (const item of emulator.exportItems(job.id)) {
      for (const key of ['inSupplierCurrency', 'inWalletCurrency'] as const) {
        const lines = item.accountingEntryLines;
        const total = lines.reduce((sum, line) => sum + line.lineAmount[key].value, 0);
        expect(total).toBe(item.amount[key].value);
        for (const line of lines) {
          expect(Number.isInteger(line.lineAmount[key].value)).toBe(true);
          expect(line.netAmount[key].value + line.tax.amount[key].value).toBe(
            line.lineAmount[key].value,
          );
        }
      }
      expect(item.supplier.name).not.toBe('');
      expect(item.accountingEntryLines[0]?.account.code).toMatch(/^\d{4}$/);
    }
  });

  it('generates the same data for the same job id in another emulator', async () => {
    const id = '0b7e4f8a-5c21-4d3e-8f90-1a2b3c4d5e6f';
    const createdAt = '2026-11-30T09:14:05Z';
    const one = await start({ seed: 1 });
    const other = await start({ seed: 99 });
    one.createJob({ id, createdAt });
    other.createJob({ id, createdAt });
    expect(one.exportItems(id)).toEqual(other.exportItems(id));
  });

  it('needs job_id, as a UUID of a known job', async () => {
    const emulator = await start();
    const missing = await call(emulator, 'GET', '/v3/export-items');
    const bad = await call(emulator, 'GET', '/v3/export-items?job_id=7');
    const unknown = await call(emulator, 'GET', `/v3/export-items?job_id=${UNKNOWN_ENTRY}`);

    expect([missing.status, bad.status, unknown.status]).toEqual([400, 400, 404]);
    expect(missing.json).toMatchObject({ type: 'MISSING_PARAMETER' });
    expect(bad.json).toMatchObject({ type: 'INVALID_UUID' });
  });
});
