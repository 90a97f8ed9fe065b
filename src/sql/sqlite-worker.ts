import { parentPort, workerData } from 'node:worker_threads';
import type { SqlValue } from './sql-database.js';
import { openSqliteReader, readSqliteRows } from './sqlite-reader.js';

/** One statement to run, and its answer. */
export interface SqliteWorkerRequest {
  id: number;
  sql: string;
  params?: SqlValue[];
  maxRows: number;
}

export type SqliteWorkerResponse = { id: number; ok: true; columns: string[]; rows: SqlValue[][]; truncated: boolean } | { id: number; ok: false; message: string; code?: string };

// A worker thread owns the connection so that a statement that runs too long can be stopped by ending
// the thread: better-sqlite3 is synchronous and has no interrupt.
const db = openSqliteReader((workerData as { path: string }).path);
parentPort!.on('message', (request: SqliteWorkerRequest) => {
  let response: SqliteWorkerResponse;
  try {
    response = { id: request.id, ok: true, ...readSqliteRows(db, request) };
  } catch (error) {
    response = { id: request.id, ok: false, message: (error as Error).message, code: (error as { code?: string }).code };
  }
  parentPort!.postMessage(response);
});
