import type { ApiKeyStore, JobBoard, SessionStore, TraceStore } from '../index.js';
import type { Store } from '../spec/store.js';
import type { EmbedderRegistry } from './embedder-registry.js';
import type { IngestJobs } from './ingest-jobs.js';
import type { Logger } from './logger.js';
import type { ServerMetrics } from './metrics.js';
import type { ModelRegistry } from './model-registry.js';
import type { WorkQueue } from './work-queue.js';

/** Limits and switches after defaults were applied. */
export interface ServerSettings {
  /** Keys are required on every `key` route (always when bound beyond loopback). */
  requireKeys: boolean;
  corsOrigins: readonly string[];
  maxBodyBytes: number;
  maxUploadBytes: number;
  maxUploadFiles: number;
  uploadDir: string;
  webRoot: string;
}

/** What every handler can reach: the store and its companions, the models, the limits, the telemetry. */
export interface ServerContext {
  settings: ServerSettings;
  /** Collections, documents, chunks, vectors: SQLite or PostgreSQL behind the one async contract. */
  store: Store;
  sessions: SessionStore;
  keys: ApiKeyStore;
  /** Stored traces (written by the tracing exporter of the same database). */
  traces: TraceStore;
  models: ModelRegistry;
  embedders: EmbedderRegistry;
  queue: WorkQueue;
  jobs: IngestJobs;
  /** Jobs of every server on the database (PostgreSQL), for the ones another server runs. */
  jobBoard?: JobBoard;
  /** Resolves once a job this server just queued is on the shared board, so any server can answer for it. */
  jobShared?: (id: string) => Promise<void>;
  metrics: ServerMetrics;
  logger: Logger;
  /** Runs one session's turns one after another: two at once would both answer without the other's turn. */
  inSession<T>(sessionId: string, task: () => Promise<T>): Promise<T>;
  /** The moment the server started shutting down, if it has. */
  shuttingDown: boolean;
}
