import type pg from 'pg';
import type { ApiKeyStore } from '../spec/api-keys.js';
import { LoreError } from '../spec/errors.js';
import type { EvalRunStore } from '../spec/eval-runs.js';
import type { JobBoard } from '../spec/job-board.js';
import type { SessionStore } from '../spec/session.js';
import type { Store, SyncStore } from '../spec/store.js';
import { createPostgresTraceStore } from '../trace/postgres-trace-store.js';
import { createSqliteTraceStore } from '../trace/sqlite-trace-store.js';
import type { TraceStore } from '../trace/trace-store.js';
import { syncStoreOf } from './contract/async-store.js';
import { openStore, type OpenStoreOptions } from './open-store.js';
import { createPostgresApiKeyStore } from './postgres/postgres-api-key-store.js';
import { createPostgresEvalRunStore } from './postgres/postgres-eval-run-store.js';
import { createPostgresJobBoard } from './postgres/postgres-job-board.js';
import { createPostgresSessionStore } from './postgres/postgres-session-store.js';
import { createSqliteApiKeyStore } from './sqlite/api-key-store.js';
import { createSqliteEvalRunStore } from './sqlite/eval-run-store.js';
import { createSqliteSessionStore } from './sqlite/session-store.js';
import { SqliteStore } from './sqlite/sqlite-store.js';

/**
 * What lives beside the documents in the same database: conversations, API keys, traces and evaluation
 * runs. Over PostgreSQL every server and command on the database shares them, which is what lets several
 * `lore serve` processes stand behind one load balancer.
 */
export interface StoreCompanions {
  sessions: SessionStore;
  keys: ApiKeyStore;
  evalRuns: EvalRunStore;
  traces: TraceStore;
  /** Ingestion jobs shared between servers (PostgreSQL only: a SQLite file has one server). */
  jobs?: JobBoard;
}

/** A PostgresStore seen from here without loading `pg`: what matters is its pool (search_path set). */
function poolOf(store: object): pg.Pool | undefined {
  const pool = (store as { pool?: pg.Pool }).pool;
  return pool && typeof pool.query === 'function' && typeof pool.connect === 'function' ? pool : undefined;
}

/**
 * The companions of an open store, over its own connection: SQLite's better-sqlite3 handle, or the
 * PostgresStore's pool (one pool per database in a process, not one per companion). They live as long
 * as the store: closing the store closes them.
 */
export function companionsOf(store: Store | SyncStore): StoreCompanions {
  const sqlite = store instanceof SqliteStore ? store : syncStoreOf(store as Store);
  if (sqlite instanceof SqliteStore) {
    const db = sqlite.db;
    return { sessions: createSqliteSessionStore(db), keys: createSqliteApiKeyStore(db), evalRuns: createSqliteEvalRunStore(db), traces: createSqliteTraceStore(db) };
  }
  const pool = poolOf(store);
  if (pool) {
    return {
      sessions: createPostgresSessionStore(pool),
      keys: createPostgresApiKeyStore(pool),
      evalRuns: createPostgresEvalRunStore(pool),
      traces: createPostgresTraceStore(pool),
      jobs: createPostgresJobBoard(pool),
    };
  }
  throw new LoreError({
    code: 'INVALID_ARGUMENT',
    message: `${store.path} keeps no sessions, keys, traces or evaluation runs`,
    hint: 'open a SQLite file or a postgres:// database (openStore) for them',
    subject: store.path,
  });
}

/**
 * Opens the database a location names (a SQLite path or a `postgres://` URL, as `openStore`) for its
 * companions alone — `lore keys`, `lore traces`, `lore eval runs` — and closes it with `close()`.
 */
export async function openCompanions(options: OpenStoreOptions): Promise<StoreCompanions & { store: Store; close(): Promise<void> }> {
  const store = await openStore(options);
  try {
    return { ...companionsOf(store), store, close: () => store.close() };
  } catch (error) {
    await store.close();
    throw error;
  }
}
