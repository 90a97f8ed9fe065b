import Database from 'better-sqlite3';
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { isLoreError, LoreError } from '../../spec/errors.js';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations.js';

const APP_ID = 'lore';

export interface OpenDatabaseOptions {
  path: string;
  readonly?: boolean;
}

/**
 * Opens (or creates) a Lore SQLite file in WAL mode and brings its schema up to date. Refuses, with a
 * message that says what to do, a file that is not SQLite, a SQLite file that is not Lore's, and a file
 * written by a newer Lore.
 */
export function openDatabase(options: OpenDatabaseOptions): Database.Database {
  const path = options.path === ':memory:' ? ':memory:' : resolve(options.path);
  const isNew = path === ':memory:' || !existsSync(path) || statSync(path).size === 0;
  if (isNew && options.readonly) {
    throw new LoreError({
      code: 'NOT_FOUND',
      message: `No Lore database at ${path}`,
      hint: 'run `lore ingest <folder>` first, or point --db / LORE_DB at an existing database',
      subject: path,
    });
  }
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  let db: Database.Database;
  try {
    db = new Database(path, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
    db.pragma('busy_timeout = 5000');
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
      // NORMAL in WAL mode survives a killed process (only a power cut can lose the last commits).
      db.pragma('synchronous = NORMAL');
    }
    db.pragma('foreign_keys = ON');
  } catch (cause) {
    throw notLore(path, cause);
  }
  try {
    checkAndMigrate(db, path, isNew, options.readonly ?? false);
  } catch (error) {
    db.close();
    // A read-only open of a file an older Lore wrote: migrations are additive and transactional, so upgrade
    // it once through a writable connection (when the file is writable) rather than make the user run a
    // writing command first.
    if (options.readonly && isLoreError(error, 'DATABASE_ERROR') && (error as LoreError).message.includes('needs a schema upgrade') && canWrite(path)) {
      openDatabase({ path, readonly: false }).close();
      return openDatabase(options);
    }
    throw error;
  }
  return db;
}

function canWrite(path: string): boolean {
  try {
    accessSync(path, constants.W_OK);
    accessSync(dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function notLore(path: string, cause: unknown): LoreError {
  return new LoreError({
    code: 'NOT_A_LORE_DATABASE',
    message: `${path} is not a Lore database`,
    hint: 'point --db / LORE_DB at a Lore database, or at a new file name to create one',
    subject: path,
    cause,
  });
}

function checkAndMigrate(db: Database.Database, path: string, isNew: boolean, readonly: boolean): void {
  let tables: string[];
  try {
    tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
  } catch (cause) {
    throw notLore(path, cause);
  }
  let version = 0;
  if (tables.includes('lore_meta')) {
    const meta = new Map(
      (db.prepare('SELECT key, value FROM lore_meta').all() as Array<{ key: string; value: string }>).map((r) => [r.key, r.value]),
    );
    if (meta.get('app') !== APP_ID) throw notLore(path, undefined);
    version = Number(meta.get('schema_version') ?? 0);
  } else if (tables.length > 0 || !isNew) {
    if (tables.length > 0) throw notLore(path, undefined);
  }
  if (version > SCHEMA_VERSION) {
    throw new LoreError({
      code: 'DATABASE_TOO_NEW',
      message: `${path} was written by a newer Lore (schema ${version}; this Lore knows up to ${SCHEMA_VERSION})`,
      hint: 'upgrade Lore (npm install lore@latest) to open it',
      subject: path,
    });
  }
  if (version === SCHEMA_VERSION) return;
  if (readonly) {
    throw new LoreError({
      code: 'DATABASE_ERROR',
      message: `${path} needs a schema upgrade (${version} → ${SCHEMA_VERSION}) but was opened read-only`,
      hint: 'the file is not writable here: run a writing command (e.g. `lore ingest`) once as a user who can write it',
      subject: path,
    });
  }
  const migrate = db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS lore_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    db.prepare("INSERT OR IGNORE INTO lore_meta (key, value) VALUES ('app', ?)").run(APP_ID);
    // Read again under the write lock: another process may have migrated in the meantime.
    const current = Number(db.prepare("SELECT value FROM lore_meta WHERE key = 'schema_version'").pluck().get() ?? 0);
    for (let v = current; v < SCHEMA_VERSION; v++) MIGRATIONS[v]!(db);
    db.prepare("INSERT OR REPLACE INTO lore_meta (key, value) VALUES ('schema_version', ?)").run(String(SCHEMA_VERSION));
  });
  // IMMEDIATE: two processes opening a fresh file at once must not both migrate.
  migrate.immediate();
}
