import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { LoreError } from '../spec/errors.js';
import { DEFAULT_TIMEOUT_MS, formatSeconds, type SqlDatabase, type SqlReadOptions, type SqlRows } from './sql-database.js';
import { openSqliteReader, readSqliteRows } from './sqlite-reader.js';
import type { SqliteWorkerRequest, SqliteWorkerResponse } from './sqlite-worker.js';

export interface OpenSqliteDatabaseOptions {
  path: string;
  /** Statement time limit (default 15 s). */
  timeoutMs?: number;
  /**
   * Run statements on a worker thread, which is what makes the time limit enforceable (default true).
   * Without one — or run from TypeScript sources with no compiled worker in dist/ — statements run on the
   * calling thread and a runaway statement cannot be stopped.
   */
  worker?: boolean;
}

/** Whether statements can run on a worker thread (and so be stopped at a time limit) from this build. */
export function sqliteWorkerAvailable(): boolean {
  return workerUrl() !== undefined;
}

/** Where the compiled worker is: beside this file when compiled, in dist/ when run from sources. */
function workerUrl(): URL | undefined {
  const fromSources = import.meta.url.endsWith('.ts');
  const url = new URL(fromSources ? '../../dist/sql/sqlite-worker.js' : './sqlite-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/**
 * A read-only SQLite database. The file is opened on the calling thread first, so a missing file or one
 * that is not SQLite is reported at once with its name; statements then run on a worker thread that a
 * time limit or an abort ends (and the next statement starts a fresh one).
 */
export function openSqliteDatabase(options: OpenSqliteDatabaseOptions): SqlDatabase {
  const path = resolve(options.path);
  const defaultTimeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let probe: Database.Database;
  try {
    probe = openSqliteReader(path);
    probe.prepare('SELECT count(*) FROM sqlite_schema').get();
  } catch (error) {
    const message = (error as Error).message;
    const missing = !existsSync(path);
    throw new LoreError({
      code: missing ? 'NOT_FOUND' : 'DATABASE_ERROR',
      message: missing ? `No SQLite database at ${path}` : `Cannot read ${path} as a SQLite database: ${message}`,
      hint: missing ? 'check the path after sqlite:' : undefined,
      subject: path,
      cause: error,
    });
  }
  const url = options.worker === false ? undefined : workerUrl();
  if (!url) return callingThreadDatabase(path, probe, defaultTimeout);
  probe.close();

  let worker: Worker | undefined;
  let nextId = 1;
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const pending = new Map<number, { resolve: (rows: SqlRows) => void; reject: (error: unknown) => void }>();

  const startWorker = (): Worker => {
    // Compiled JavaScript needs no flags; inherited ones (--import tsx, --expose-gc) can stop a worker starting.
    const started = new Worker(url, { workerData: { path }, execArgv: [] });
    started.unref();
    const failAll = (error: unknown) => {
      for (const { reject } of pending.values()) reject(error);
      pending.clear();
      if (worker === started) worker = undefined;
    };
    started.on('message', (response: SqliteWorkerResponse) => {
      const waiting = pending.get(response.id);
      if (!waiting) return;
      pending.delete(response.id);
      if (response.ok) waiting.resolve({ columns: response.columns, rows: response.rows, truncated: response.truncated });
      else waiting.reject(new LoreError({ code: 'DATABASE_ERROR', message: response.message, subject: path }));
    });
    started.on('error', (error) => failAll(new LoreError({ code: 'DATABASE_ERROR', message: `The SQLite worker failed: ${error.message}`, subject: path, cause: error })));
    started.on('exit', () => failAll(new LoreError({ code: 'DATABASE_ERROR', message: 'The SQLite worker stopped', subject: path })));
    return started;
  };

  const run = (read: SqlReadOptions): Promise<SqlRows> => {
    if (closed) return Promise.reject(new LoreError({ code: 'INVALID_ARGUMENT', message: 'The database is closed', subject: path }));
    const timeoutMs = read.timeoutMs ?? defaultTimeout;
    return new Promise<SqlRows>((resolvePromise, rejectPromise) => {
      if (read.signal?.aborted) return rejectPromise(new LoreError({ code: 'ABORTED', message: 'The query was cancelled', cause: read.signal.reason }));
      worker ??= startWorker();
      const running = worker;
      const id = nextId++;
      // Ending the thread is the only way to stop a statement inside SQLite from here.
      const stop = (error: LoreError) => {
        if (!pending.has(id)) return;
        pending.delete(id);
        if (worker === running) worker = undefined;
        void running.terminate();
        rejectPromise(error);
      };
      const timer = setTimeout(
        () => stop(new LoreError({ code: 'TIMEOUT', message: `The query ran longer than ${formatSeconds(timeoutMs)} and was stopped`, subject: path, hint: 'make it cheaper, or raise the time limit' })),
        timeoutMs,
      );
      const onAbort = () => stop(new LoreError({ code: 'ABORTED', message: 'The query was cancelled', cause: read.signal?.reason }));
      read.signal?.addEventListener('abort', onAbort, { once: true });
      const settle = () => {
        clearTimeout(timer);
        read.signal?.removeEventListener('abort', onAbort);
      };
      pending.set(id, {
        resolve: (rows) => (settle(), resolvePromise(rows)),
        reject: (error) => (settle(), rejectPromise(error)),
      });
      const request: SqliteWorkerRequest = { id, sql: read.sql, params: read.params, maxRows: read.maxRows };
      running.postMessage(request);
    });
  };

  return {
    dialect: 'sqlite',
    target: path,
    // One statement at a time: a timeout ends the thread, which must not take a queued statement with it.
    read(read) {
      const result = queue.then(() => run(read));
      queue = result.catch(() => undefined);
      return result;
    },
    async close() {
      closed = true;
      await queue;
      await worker?.terminate();
      worker = undefined;
    },
  };
}

/** The fallback without a worker: same checks, no enforceable time limit (the statement blocks the thread). */
function callingThreadDatabase(path: string, db: Database.Database, _timeoutMs: number): SqlDatabase {
  return {
    dialect: 'sqlite',
    target: path,
    async read(read) {
      if (read.signal?.aborted) throw new LoreError({ code: 'ABORTED', message: 'The query was cancelled', cause: read.signal.reason });
      try {
        return readSqliteRows(db, read);
      } catch (error) {
        throw new LoreError({ code: 'DATABASE_ERROR', message: (error as Error).message, subject: path, cause: error });
      }
    },
    async close() {
      if (db.open) db.close();
    },
  };
}
