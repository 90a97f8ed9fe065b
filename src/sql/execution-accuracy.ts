import type { SqlRows, SqlValue } from './sql-database.js';

/**
 * Execution accuracy (as in Spider and BIRD): a predicted query is right when it returns the same rows as
 * the gold query — the same values in the same columns order, column names ignored. Order matters only
 * when the gold query's outermost clause orders the rows. Numbers are equal within 1e-6 relative, so
 * `avg()` computed two ways agrees; integers and numeric text (`'42'` from a driver) compare as numbers.
 */
export function sameResult(options: { gold: Pick<SqlRows, 'rows'>; predicted: Pick<SqlRows, 'rows'>; ordered: boolean }): boolean {
  const gold = options.gold.rows.map(rowKey);
  const predicted = options.predicted.rows.map(rowKey);
  if (gold.length !== predicted.length) return false;
  if (!options.ordered) {
    gold.sort();
    predicted.sort();
  }
  return gold.every((key, i) => key === predicted[i]);
}

/** Whether the statement's outermost level has an ORDER BY (one inside a subquery or window does not count). */
export function ordersRows(sql: string): boolean {
  let depth = 0;
  const text = sql.replace(/'(?:[^']|'')*'/g, "''");
  let last = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (depth === 0 && /order\s+by/iy.test(text.slice(i, i + 40)) && /\W/.test(text[i - 1] ?? ' ')) last = i;
  }
  return last >= 0;
}

function cellKey(value: SqlValue): string {
  if (value === null) return 'null';
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
  if (n !== undefined && Number.isFinite(n)) return `n:${Number(n.toPrecision(10))}`;
  if (typeof value === 'boolean') return `n:${value ? 1 : 0}`;
  return `s:${value}`;
}

function rowKey(row: SqlValue[]): string {
  return JSON.stringify(row.map(cellKey));
}
