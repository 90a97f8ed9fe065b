import Database from 'better-sqlite3';
import type { SqlRows, SqlValue } from './sql-database.js';

/**
 * Opens a SQLite file so that nothing can change it: the read-only flag (the file is opened O_RDONLY, so
 * even a bug in the checks above cannot write, and ATTACH can only open other files read-only),
 * `query_only` (SQLite refuses every statement that would change a database), `trusted_schema = OFF`
 * (functions with side effects cannot run from inside views or triggers) and better-sqlite3's safe mode.
 * better-sqlite3 offers no authorizer callback, so these together take its place.
 */
export function openSqliteReader(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.unsafeMode(false);
  db.pragma('query_only = ON');
  db.pragma('trusted_schema = OFF');
  return db;
}

/**
 * Runs one statement and reads at most `maxRows` (+1 to know there were more) rows, stepping row by row so
 * a huge result is never materialised. better-sqlite3 refuses text with more than one statement, and a
 * statement that returns no rows (every write, ATTACH, PRAGMA assignments) is refused before it runs.
 */
export function readSqliteRows(db: Database.Database, options: { sql: string; params?: SqlValue[]; maxRows: number }): SqlRows {
  const statement = db.prepare(options.sql);
  if (!statement.reader) throw new Error('this statement returns no rows; only statements that read are run');
  statement.raw(true);
  const columns = statement.columns().map((c) => c.name);
  const rows: SqlValue[][] = [];
  let truncated = false;
  for (const row of statement.iterate(...(options.params ?? [])) as Iterable<unknown[]>) {
    if (rows.length >= options.maxRows) {
      truncated = true;
      break;
    }
    rows.push(row.map(sqliteValue));
  }
  return { columns, rows, truncated };
}

function sqliteValue(value: unknown): SqlValue {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Uint8Array) return `<${value.byteLength}-byte blob>`;
  return String(value);
}
