import type { RetentionOptions } from './prune-traces.js';
import type { ListTracesOptions, TraceDetail, TraceScope, TraceSummary } from './read-traces.js';

/** What `lore traces` and `GET /api/traces` ask of stored traces (the `db` of ListTracesOptions aside). */
export type TraceQuery = Omit<ListTracesOptions, 'db'>;

/**
 * Stored traces for reading and pruning, whatever database holds them (SQLite file or PostgreSQL shared by
 * several servers). Spans are written by the span exporter of that database, not through this interface.
 */
export interface TraceStore {
  listTraces(options?: TraceQuery): Promise<TraceSummary[]>;
  /** A trace by id or unique prefix (≥ 4 hex digits); out of scope reads as not found. */
  getTrace(options: { traceId: string; scope?: TraceScope }): Promise<TraceDetail | undefined>;
  /** Keeps the newest `keep` traces and none older than `maxAgeDays`; resolves to the number deleted. */
  pruneTraces(options?: RetentionOptions & { now?: Date }): Promise<number>;
}
