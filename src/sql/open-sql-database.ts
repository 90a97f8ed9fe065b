import { LoreError } from '../spec/errors.js';
import { openPostgresDatabase } from './postgres-database.js';
import type { SqlDatabase } from './sql-database.js';
import { openSqliteDatabase } from './sqlite-database.js';

export interface OpenSqlDatabaseOptions {
  /** `sqlite:PATH` (also `sqlite://PATH`, or a bare path) or `postgres://…` / `postgresql://…`. */
  url: string;
  /** Statement time limit (default 15 s). */
  timeoutMs?: number;
}

/** Which kind of database a URL names, and where: without opening it. */
export function parseSqlDatabaseUrl(url: string): { dialect: 'sqlite'; path: string } | { dialect: 'postgres'; url: string } {
  const trimmed = url.trim();
  if (/^postgres(ql)?:\/\//i.test(trimmed)) return { dialect: 'postgres', url: trimmed };
  const sqlite = /^sqlite3?:(.*)$/i.exec(trimmed);
  if (sqlite) {
    // sqlite:///abs/path and sqlite://rel/path as URL-minded people write them; sqlite:path as the issue does.
    const rest = sqlite[1]!.startsWith('//') ? sqlite[1]!.slice(2) : sqlite[1]!;
    if (!rest) throw new LoreError({ code: 'INVALID_ARGUMENT', message: `No file in "${url}"`, hint: 'write it as sqlite:PATH, e.g. sqlite:./shop.db' });
    return { dialect: 'sqlite', path: rest };
  }
  // Anything else with a scheme is a database Lore cannot read; a drive letter (C:\…) is a path.
  const scheme = /^([a-z][a-z0-9+.-]+):/i.exec(trimmed);
  if (scheme) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Lore cannot query ${scheme[1]} databases`, hint: 'use sqlite:PATH or postgres://user@host/database' });
  }
  if (!trimmed) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'No database named', hint: 'use sqlite:PATH or postgres://user@host/database' });
  return { dialect: 'sqlite', path: trimmed };
}

/** Opens a database for reading only; see `openSqliteDatabase` and `openPostgresDatabase`. */
export async function openSqlDatabase(options: OpenSqlDatabaseOptions): Promise<SqlDatabase> {
  const parsed = parseSqlDatabaseUrl(options.url);
  if (parsed.dialect === 'postgres') return openPostgresDatabase({ url: parsed.url, timeoutMs: options.timeoutMs });
  return openSqliteDatabase({ path: parsed.path, timeoutMs: options.timeoutMs });
}
