/**
 * The emulator's jobs and their items. Every method is synchronous, so a
 * check-and-change (a job event, an item update) can never interleave with
 * another request: that is what makes concurrent claims resolve to exactly
 * one winner, as they do at Pleo.
 */
import { z } from 'zod';
import { parseInstant, type Instant } from '../pleo/instant.js';
import type { ItemStatus, ItemUpdate, JobEventBody } from '../pleo/schemas.js';
import { generateExportItems, type ExportItemRecord } from './accounting-data.js';
import type { Clock } from './clock.js';
import { CreateJobInputSchema, type CreateJobInput } from './job-input.js';
import { canExpire, expired, transition, type Job } from './job.js';
import type { Random } from './random.js';

/** An item's export status within its job, as `GET …/items` serves it. */
export interface JobItem {
  accountingEntryId: string;
  exportJobId: string;
  status: ItemStatus;
  exportedAt?: string;
  externalId?: string;
  externalUrl?: string;
  failureReason?: string;
  failureReasonType?: string;
}

export interface ItemUpdateError {
  accountingEntryId: string;
  type: 'ACCOUNTING_ENTRY_DOES_NOT_EXIST';
  message: string;
}

export interface StoredJob {
  job: Job;
  createdAt: Instant;
  items: JobItem[];
  exportItems: ExportItemRecord[];
}

export type EventResult =
  | { ok: true; job: Job }
  | { ok: false; reason: 'notFound' }
  | { ok: false; reason: 'invalidChange'; message: string };

export interface StoreSettings {
  clock: Clock;
  random: Random;
  defaultCompanyId: string;
  defaultExpiresIn: number;
  /** False keeps every job alive regardless of its age. */
  expireJobs: boolean;
}

export class JobStore {
  readonly #jobs = new Map<string, StoredJob>();
  readonly #settings: StoreSettings;

  constructor(settings: StoreSettings) {
    this.#settings = settings;
  }

  create(input: CreateJobInput = {}): Job {
    const fields = parseInput(input);
    const { clock, random } = this.#settings;
    const nowIso = clock.iso();
    const createdAt = fields.createdAt ?? nowIso;
    const instant = parseInstant(createdAt);
    if (!instant) throw new TypeError(`createdAt '${createdAt}' is not an ISO 8601 instant.`);

    const id = fields.id ?? random.uuid();
    if (this.#jobs.has(id)) throw new TypeError(`A job with id ${id} exists already.`);

    const status = fields.status ?? 'pending';
    const job: Job = {
      id,
      companyId: fields.companyId ?? this.#settings.defaultCompanyId,
      status,
      createdAt,
      createdBy: fields.createdBy ?? random.uuid(),
      expiresIn: fields.expiresIn ?? this.#settings.defaultExpiresIn,
      isInteractive: fields.isInteractive ?? false,
      numberOfItems: fields.numberOfItems ?? 3,
      vendorBasedBookkeeping: fields.vendorBasedBookkeeping ?? false,
      lastUpdatedAt: nowIso,
    };
    if (status !== 'pending') job.startedAt = nowIso;
    if (status !== 'pending' && status !== 'in_progress') job.completedAt = nowIso;

    const exportItems = generateExportItems(
      { id, companyId: job.companyId, createdAtMs: instant.epochMs },
      job.numberOfItems,
    );
    const items = exportItems.map(
      ({ accountingEntryId }): JobItem => ({
        accountingEntryId,
        exportJobId: id,
        status: 'pending',
      }),
    );
    this.#jobs.set(id, { job, createdAt: instant, items, exportItems });
    return { ...job };
  }

  /** The job with its expiry applied, or undefined when unknown. */
  find(id: string): StoredJob | undefined {
    const stored = this.#jobs.get(id);
    if (stored) this.#expireIfDue(stored);
    return stored;
  }

  /** Every job, expiry applied, in creation order. */
  all(): StoredJob[] {
    const jobs = [...this.#jobs.values()];
    for (const stored of jobs) this.#expireIfDue(stored);
    return jobs;
  }

  applyEvent(body: JobEventBody): EventResult {
    const stored = this.find(body.jobId);
    if (!stored) return { ok: false, reason: 'notFound' };

    const result = transition(stored.job, body, this.#settings.clock.iso());
    if (!result.ok) return { ok: false, reason: 'invalidChange', message: result.message };
    stored.job = result.job;
    return { ok: true, job: { ...result.job } };
  }

  /** Applies the updates whose entries exist; reports the others one by one. */
  updateItems(
    stored: StoredJob,
    updates: readonly ItemUpdate[],
  ): { data: JobItem[]; errors: ItemUpdateError[] } {
    const data: JobItem[] = [];
    const errors: ItemUpdateError[] = [];
    for (const update of updates) {
      const entryId = update.accountingEntryId;
      const item = stored.items.find((i) => i.accountingEntryId === entryId);
      if (!item) {
        errors.push({
          accountingEntryId: entryId,
          type: 'ACCOUNTING_ENTRY_DOES_NOT_EXIST',
          message: `No accounting entry ${entryId} in job ${stored.job.id}.`,
        });
        continue;
      }
      Object.assign(item, update, { exportJobId: stored.job.id });
      data.push({ ...item });
    }
    if (data.length > 0) stored.job.lastUpdatedAt = this.#settings.clock.iso();
    return { data, errors };
  }

  #expireIfDue(stored: StoredJob): void {
    if (!this.#settings.expireJobs || !canExpire(stored.job)) return;
    const expiresAtMs = stored.createdAt.epochMs + stored.job.expiresIn * 1000;
    if (this.#settings.clock.now() < expiresAtMs) return;
    stored.job = expired(stored.job, new Date(expiresAtMs).toISOString());
  }
}

type JobFields = Omit<z.output<typeof CreateJobInputSchema>, 'createdAt'> & {
  createdAt?: string;
};

function parseInput(input: CreateJobInput): JobFields {
  const parsed = CreateJobInputSchema.safeParse(input);
  if (!parsed.success) {
    throw new TypeError(`Invalid createJob input: ${z.prettifyError(parsed.error)}`);
  }
  const { createdAt, ...rest } = parsed.data;
  return {
    ...rest,
    createdAt: createdAt instanceof Date ? createdAt.toISOString() : createdAt,
  };
}
