/**
 * The sandbox's stand-in for an accounting system: a processor that reads a
 * job's export items, appends them to a local ledger file (JSON lines),
 * reports each item's result to Pleo and completes the job.
 *
 * It is also a small example of a well-behaved processor: items Pleo already
 * marks `successful` are skipped, so a resumed job is not booked twice.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Processor } from '../orchestrator/types.js';
import type { ItemUpdate } from '../pleo/schemas.js';

export interface DemoProcessorOptions {
  /** The ledger file entries are appended to. */
  ledgerFile: string;
}

export function createDemoProcessor(options: DemoProcessorOptions): Processor {
  return async (job, { client, signal, logger }) => {
    const [items, statuses] = await Promise.all([
      client.listExportItems(job.id, { signal }),
      client.listJobItems(job.id, { signal }),
    ]);
    const done = new Set(
      statuses.filter((item) => item.status === 'successful').map((item) => item.accountingEntryId),
    );
    const todo = items.filter((item) => !done.has(item.accountingEntryId));

    await mkdir(path.dirname(options.ledgerFile), { recursive: true });
    const exportedAt = new Date().toISOString();
    const lines = todo.map((item, index) =>
      JSON.stringify({
        journalId: `JE-${job.id.slice(0, 8)}-${index + 1}`,
        jobId: job.id,
        companyId: job.companyId,
        accountingEntryId: item.accountingEntryId,
        date: item.date,
        amount: item.amount?.inWalletCurrency ?? item.amount?.inSupplierCurrency,
        supplier: item.supplier?.name,
        exportedAt,
      }));
    if (lines.length > 0) await appendFile(options.ledgerFile, `${lines.join('\n')}\n`);

    const updates: ItemUpdate[] = todo.map((item, index) => ({
      accountingEntryId: item.accountingEntryId,
      status: 'successful',
      exportedAt,
      externalId: `JE-${job.id.slice(0, 8)}-${index + 1}`,
    }));
    const answer = updates.length > 0
      ? await client.updateJobItems(job.id, updates, { signal })
      : { data: [], errors: [] };
    const errors = answer.errors ?? [];
    logger.info(
      { booked: todo.length, skipped: done.size, itemErrors: errors.length },
      'items written to the sandbox ledger',
    );
    if (errors.length > 0) {
      return {
        status: 'completed_with_errors',
        failureReason: `${errors.length} item(s) were rejected by Pleo.`,
        failureReasonType: 'validation_failure',
      };
    }
    return { status: 'completed' };
  };
}
