import type { SqlDialect } from './sql-dialect.js';

/** A cell as Lore hands it on: JSON-safe. Blobs, dates, JSON and arrays arrive as text. */
export type SqlValue = string | number | boolean | null;

export interface SqlRows {
  columns: string[];
  /** One array per row, in column order (names may repeat, so rows are not objects). */
  rows: SqlValue[][];
  /** More rows existed than the cap let through. */
  truncated: boolean;
}

export interface SqlReadOptions {
  sql: string;
  params?: SqlValue[];
  /** Rows returned at most; one more is read to tell whether there were more. */
  maxRows: number;
  /** Stop the statement after this long (default: the connection's). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * A connection to a database that can only read: SQLite opened read-only with `query_only`, PostgreSQL
 * inside `BEGIN READ ONLY` transactions that are always rolled back. `read` does not validate what it
 * runs — statements from a model or a person go through `executeReadOnly`, which does; `read` is for
 * Lore's own statements (introspection) and is still held read-only by the database itself.
 */
export interface SqlDatabase {
  readonly dialect: SqlDialect;
  /** For people: the file, or the URL without its password. */
  readonly target: string;
  read(options: SqlReadOptions): Promise<SqlRows>;
  close(): Promise<void>;
}

/** Default row cap for answers: enough for a table a person reads, small enough for a prompt. */
export const DEFAULT_MAX_ROWS = 200;
/** Default statement time limit. */
export const DEFAULT_TIMEOUT_MS = 15_000;

/** A time limit as people read it: 300 ms, 15 s, 1.5 s. */
export function formatSeconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${Number((ms / 1000).toFixed(1))} s`;
}
