import type Database from 'better-sqlite3';
import { pruneTraces } from './prune-traces.js';
import { getTrace, listTraces } from './read-traces.js';
import type { TraceStore } from './trace-store.js';

/** Traces in a Lore SQLite file (schema v5), over the store's connection; the reads are synchronous underneath. */
export function createSqliteTraceStore(db: Database.Database): TraceStore {
  return {
    listTraces: async (options = {}) => listTraces({ ...options, db }),
    getTrace: async (options) => getTrace({ ...options, db }),
    pruneTraces: async (options = {}) => pruneTraces({ ...options, db }),
  };
}
