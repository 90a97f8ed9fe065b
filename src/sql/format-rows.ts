import { countTokens } from '../text/index.js';
import type { SqlValue } from './sql-database.js';

export function cellText(value: SqlValue): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(12)));
  return String(value);
}

/**
 * Rows as a Markdown table for a prompt, within a token budget: rows are added while they fit and the
 * rest are counted in a last line, so a model knows the table goes on. Pipes and line breaks inside
 * values are escaped so a value cannot break the table's shape.
 */
export function rowsToMarkdown(options: { columns: string[]; rows: SqlValue[][]; maxTokens?: number }): string {
  const budget = options.maxTokens ?? 3000;
  const cell = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
  const line = (cells: string[]) => `| ${cells.map(cell).join(' | ')} |`;
  const lines = [line(options.columns), `|${options.columns.map(() => ' --- |').join('')}`];
  let tokens = countTokens(lines.join('\n'));
  let shown = 0;
  for (const row of options.rows) {
    const text = line(row.map(cellText));
    const cost = countTokens(text);
    if (shown > 0 && tokens + cost > budget) break;
    lines.push(text);
    tokens += cost;
    shown++;
  }
  if (shown < options.rows.length) lines.push(`(${options.rows.length - shown} more rows not shown)`);
  return lines.join('\n');
}
