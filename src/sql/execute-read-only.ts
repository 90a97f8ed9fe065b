import { LoreError } from '../spec/errors.js';
import { DEFAULT_MAX_ROWS, type SqlDatabase, type SqlRows } from './sql-database.js';
import { validateSql } from './validate-sql.js';

export interface ExecuteReadOnlyOptions {
  db: SqlDatabase;
  /** A statement from a model or a person: validated before anything reaches the database. */
  sql: string;
  /** Default 200. */
  maxRows?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface ExecutedQuery extends SqlRows {
  /** What ran: the statement without comments and trailing semicolons. */
  sql: string;
  /** Tables it read, as the parser named them. */
  tables: string[];
  ms: number;
}

/** A statement the validator refused, as opposed to one the database failed on. */
export function isRefusal(error: unknown): boolean {
  return error instanceof LoreError && error.code === 'INVALID_ARGUMENT' && error.subject === 'sql-validator';
}

/**
 * Runs untrusted SQL: validated first (`validateSql`), then read on the read-only connection with a row
 * cap and a time limit. A refused statement throws INVALID_ARGUMENT (subject `sql-validator`, see
 * `isRefusal`) and never reaches the database; a failing one throws DATABASE_ERROR with the database's
 * own message, which is what a model needs to correct it; one that runs too long throws TIMEOUT.
 */
export async function executeReadOnly(options: ExecuteReadOnlyOptions): Promise<ExecutedQuery> {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;
  if (!Number.isInteger(maxRows) || maxRows < 1) throw new LoreError({ code: 'INVALID_ARGUMENT', message: `maxRows must be a whole number of at least 1, not ${maxRows}` });
  const verdict = validateSql({ sql: options.sql, dialect: options.db.dialect });
  if (!verdict.ok) throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Refused: ${verdict.reason}`, subject: 'sql-validator' });
  const started = performance.now();
  const rows = await options.db.read({ sql: verdict.sql, maxRows, timeoutMs: options.timeoutMs, signal: options.signal });
  return { ...rows, sql: verdict.sql, tables: verdict.tables, ms: Math.round(performance.now() - started) };
}
