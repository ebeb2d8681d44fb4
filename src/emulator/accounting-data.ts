/**
 * Realistic, deterministic accounting data for export items: the same job id
 * always yields the same items, so contract tests can assert exact values.
 * Amounts are integers in minor units; the lines of an item add up to its
 * amount, and each line's net plus tax adds up to its gross, in both
 * currencies.
 */
import { createRandom, hashSeed, type Random } from './random.js';

export interface Money {
  currency: string;
  value: number;
}

export interface Amount {
  inSupplierCurrency: Money;
  inWalletCurrency: Money;
}

export interface ExportItemLine {
  accountingEntryLineId: string;
  lineAmount: Amount;
  netAmount: Amount;
  account: { id: string; name: string; code: string };
  tax: { id: string; code: string; rate: number; type: 'inclusive'; amount: Amount };
  tags: string[];
}

/** The accounting data of one export item, in the shape of Pleo's samples. */
export interface ExportItemRecord {
  accountingEntryId: string;
  companyId: string;
  type: string;
  date: string;
  note: string;
  amount: Amount;
  accountingEntryLines: ExportItemLine[];
  supplier: { name: string; country: string };
  files: Array<{ url: string; type: string; size: number }>;
}

/** Every demo company keeps its books in Danish kroner. */
export const WALLET_CURRENCY = 'DKK';

/** Kroner per unit of each supplier currency (fixed, illustrative rates). */
const TO_DKK: Readonly<Record<string, number>> = { DKK: 1, EUR: 7.46, SEK: 0.68, GBP: 8.6 };

const SUPPLIERS = [
  { name: 'Cafe Example', country: 'DK', currency: 'DKK', taxCode: 'S25', rate: 0.25 },
  { name: 'Nordic Rail', country: 'SE', currency: 'SEK', taxCode: 'SE6', rate: 0.06 },
  { name: 'Hotel Beispiel', country: 'DE', currency: 'EUR', taxCode: 'DE7', rate: 0.07 },
  { name: 'Office Supplies', country: 'GB', currency: 'GBP', taxCode: 'GB20', rate: 0.2 },
  { name: 'Kontorland', country: 'DK', currency: 'DKK', taxCode: 'S25', rate: 0.25 },
  { name: 'Cloud Tools Inc', country: 'IE', currency: 'EUR', taxCode: 'RC0', rate: 0 },
] as const;

const ACCOUNTS = [
  { name: 'Meals and Entertainment', code: '6810' },
  { name: 'Travel', code: '6820' },
  { name: 'Office Supplies', code: '6830' },
  { name: 'Software Subscriptions', code: '6840' },
] as const;

const NOTES = ['Team lunch', 'Client visit', 'Printer paper', 'Conference trip', 'Licence'];
/** Card purchases dominate real spend, so they are drawn three times as often. */
const TYPES = [
  ...['card_purchase', 'card_purchase', 'card_purchase'],
  ...['out_of_pocket', 'invoice'],
];

export interface ItemSource {
  id: string;
  companyId: string;
  /** Epoch milliseconds of the job's creation; purchases happen before it. */
  createdAtMs: number;
}

export function generateExportItems(job: ItemSource, count: number): ExportItemRecord[] {
  const random = createRandom(hashSeed('export-items', job.id));
  return Array.from({ length: count }, () => generateItem(job, random));
}

function generateItem(job: ItemSource, random: Random): ExportItemRecord {
  const supplier = random.pick(SUPPLIERS);
  const lineCount = random.chance(0.25) ? 2 : 1;
  const lines = Array.from({ length: lineCount }, () => {
    const gross = random.int(1_500, 250_000);
    return line(job.companyId, supplier, gross, random);
  });
  const daysBefore = random.int(1, 20);
  const minuteOfDay = random.int(7 * 60, 20 * 60);
  const dayStart = Math.floor(job.createdAtMs / 86_400_000 - daysBefore) * 86_400_000;

  return {
    accountingEntryId: random.uuid(),
    companyId: job.companyId,
    type: random.pick(TYPES),
    date: new Date(dayStart + minuteOfDay * 60_000).toISOString().replace('.000Z', 'Z'),
    note: `${random.pick(NOTES)} at ${supplier.name}`,
    amount: sumAmounts(lines.map((l) => l.lineAmount)),
    accountingEntryLines: lines,
    supplier: { name: supplier.name, country: supplier.country },
    files: [],
  };
}

function line(
  companyId: string,
  supplier: (typeof SUPPLIERS)[number],
  gross: number,
  random: Random,
): ExportItemLine {
  const account = random.pick(ACCOUNTS);
  const tax = Math.round((gross * supplier.rate) / (1 + supplier.rate));
  const rate = TO_DKK[supplier.currency] ?? 1;
  const walletGross = Math.round(gross * rate);
  const walletTax = Math.round(tax * rate);
  const money = (currency: string, value: number): Money => ({ currency, value });
  const amount = (supplierValue: number, walletValue: number): Amount => ({
    inSupplierCurrency: money(supplier.currency, supplierValue),
    inWalletCurrency: money(WALLET_CURRENCY, walletValue),
  });

  return {
    accountingEntryLineId: random.uuid(),
    lineAmount: amount(gross, walletGross),
    netAmount: amount(gross - tax, walletGross - walletTax),
    // Account and tax ids are stable per company, as a chart of accounts is.
    account: { id: stableId(companyId, account.code), ...account },
    tax: {
      id: stableId(companyId, supplier.taxCode),
      code: supplier.taxCode,
      rate: supplier.rate,
      type: 'inclusive',
      amount: amount(tax, walletTax),
    },
    tags: [],
  };
}

function stableId(companyId: string, code: string): string {
  return createRandom(hashSeed('chart', companyId, code)).uuid();
}

function sumAmounts(amounts: readonly Amount[]): Amount {
  const first = amounts[0];
  if (!first) throw new Error('An export item needs at least one line.');
  const total = (pick: (a: Amount) => Money): Money => ({
    currency: pick(first).currency,
    value: amounts.reduce((sum, a) => sum + pick(a).value, 0),
  });
  return {
    inSupplierCurrency: total((a) => a.inSupplierCurrency),
    inWalletCurrency: total((a) => a.inWalletCurrency),
  };
}
