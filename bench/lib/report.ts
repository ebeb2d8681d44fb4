/**
 * What a benchmark hands back to `run.ts`: titled tables and notes, printed
 * to the console as they are and written into BENCHMARKS.md.
 */

export interface Table {
  caption?: string;
  header: string[];
  rows: string[][];
  /** Leading columns that hold text (left-aligned); the rest are figures. Default 1. */
  textColumns?: number;
}

export interface Section {
  id: string;
  title: string;
  /** What is measured, from where to where; printed above the tables. */
  method: string[];
  tables: Table[];
  /** Findings, printed below the tables. */
  notes: string[];
  /** The issue's goals this benchmark answers, for the summary at the top. */
  goals?: Goal[];
}

export interface Goal {
  goal: string;
  figure: string;
  met: boolean;
}

export interface BenchContext {
  quick: boolean;
  /** Progress lines for the person watching; not written to BENCHMARKS.md. */
  progress: (line: string) => void;
}

export interface Benchmark {
  id: string;
  title: string;
  run: (context: BenchContext) => Promise<Section>;
}

export function markdownTable(table: Table): string {
  const widths = table.header.map((cell, column) =>
    Math.max(cell.length, ...table.rows.map((row) => (row[column] ?? '').length)),
  );
  const text = table.textColumns ?? 1;
  const line = (cells: readonly string[]) =>
    `| ${widths.map((width, i) => pad(cells[i] ?? '', width, i < text)).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (i < text ? '-'.repeat(w) : `${'-'.repeat(w - 1)}:`))
    .join(' | ')} |`;
  const lines = [line(table.header), rule, ...table.rows.map(line)];
  return table.caption ? `${table.caption}\n\n${lines.join('\n')}` : lines.join('\n');
}

/** Text reads from the left; figures line up on the right. */
function pad(cell: string, width: number, isText: boolean): string {
  return isText ? cell.padEnd(width) : cell.padStart(width);
}

export function sectionMarkdown(section: Section): string {
  const parts = [`## ${section.title}`, section.method.join('\n')];
  for (const table of section.tables) parts.push(markdownTable(table));
  if (section.notes.length > 0) parts.push(section.notes.join('\n'));
  return parts.join('\n\n');
}
