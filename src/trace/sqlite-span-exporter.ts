import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import { pruneTraces, type RetentionOptions } from './prune-traces.js';
import { earliestName, groupByTrace, hrTimeToNs, spanExtent, spanRecord, traceTotals } from './trace-totals.js';

export interface SqliteSpanExporterOptions extends RetentionOptions {
  /**
   * The Lore database (schema v5 or later), or a function that opens it. The function is asked again at
   * each batch until it returns a connection, so a command that creates the database after tracing began
   * still gets its spans stored; spans of a batch with no database are dropped.
   */
  db: Database.Database | (() => Database.Database | undefined);
  /** Close the connection at shutdown (default: when the exporter opened it through a function). */
  closeOnShutdown?: boolean;
  /** Prune old traces after this many new ones (default 1: after every batch that began a trace). */
  pruneEvery?: number;
}

/**
 * A connection of its own to a Lore database file for storing spans: read-only commands open theirs
 * read-only, and spans must still be written. Nothing is created: a missing file, or one without the
 * `traces` table (a Lore older than schema v5 that no command has upgraded yet), yields undefined.
 */
export function openTraceDatabase(options: { path: string }): Database.Database | undefined {
  if (!existsSync(options.path)) return undefined;
  const db = new Database(options.path, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    const hasTables = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('traces', 'spans')").pluck().get() === 2;
    if (hasTables) return db;
  } catch {
    /* not a database we can write traces to: the spans are dropped */
  }
  db.close();
  return undefined;
}

const EXPORT_SUCCESS = 0;
const EXPORT_FAILED = 1;

interface TraceRow {
  attributes: string;
}

/**
 * Writes finished spans to the `spans` table and keeps each trace's row in `traces` current (name from its
 * root span, start, duration, status, span count, tokens, cost, and the collection when all its spans name
 * the same one), one immediate transaction per batch. Meant to sit behind a BatchSpanProcessor, so the
 * writes happen off the hot path, a few hundred spans at a time.
 */
export function createSqliteSpanExporter(options: SqliteSpanExporterOptions): SpanExporter {
  const opener = typeof options.db === 'function' ? options.db : undefined;
  let db: Database.Database | undefined = typeof options.db === 'function' ? undefined : options.db;
  const closeOnShutdown = options.closeOnShutdown ?? opener !== undefined;
  const pruneEvery = options.pruneEvery ?? 1;
  let sincePrune = Number.POSITIVE_INFINITY;
  let writer: ((groups: Map<string, ReadableSpan[]>) => number) | undefined;

  function prepare(conn: Database.Database) {
    const selectTrace = conn.prepare<[string], TraceRow>('SELECT attributes FROM traces WHERE trace_id = ?');
    const insertTrace = conn.prepare(
      `INSERT INTO traces (trace_id, name, started_at, duration_ms, status, collection, span_count, input_tokens, output_tokens, cost_usd, attributes)
       VALUES (@traceId, @name, @startedAt, @durationMs, CASE WHEN @error THEN 'error' ELSE 'ok' END, @collection, @inserted, @input, @output, @cost, @attributes)`,
    );
    const insertSpan = conn.prepare(
      `INSERT OR IGNORE INTO spans (span_id, trace_id, parent_id, name, kind, start_ns, end_ns, status, status_message, attributes, events)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // A trace's time is its root span's once that is stored (children end inside it); until then, the
    // extent of the spans stored so far.
    const rootTimes = conn.prepare('SELECT start_ns AS start, end_ns AS end FROM spans WHERE trace_id = ? AND parent_id IS NULL ORDER BY start_ns LIMIT 1').safeIntegers(true);
    const bounds = conn.prepare('SELECT min(start_ns) AS start, max(end_ns) AS end FROM spans WHERE trace_id = ?').safeIntegers(true);
    const updateTrace = conn.prepare(
      `UPDATE traces SET
         name = coalesce(@name, name),
         started_at = @startedAt,
         duration_ms = @durationMs,
         status = CASE WHEN @error THEN 'error' ELSE status END,
         collection = @collection,
         span_count = span_count + @inserted,
         input_tokens = input_tokens + @input,
         output_tokens = output_tokens + @output,
         cost_usd = CASE WHEN @cost IS NULL THEN cost_usd ELSE coalesce(cost_usd, 0) + @cost END,
         attributes = @attributes
       WHERE trace_id = @traceId`,
    );

    const insertSpans = (traceId: string, spans: ReadableSpan[]): ReadableSpan[] =>
      spans.filter((span) => {
        const r = spanRecord(span);
        const info = insertSpan.run(r.spanId, traceId, r.parentId, r.name, r.kind, r.startNs, r.endNs, r.status, r.statusMessage, JSON.stringify(r.attributes), JSON.stringify(r.events));
        return info.changes > 0; // a span exported twice (a retried batch) is counted once
      });

    const writeTrace = (traceId: string, spans: ReadableSpan[]): boolean => {
      const existing = selectTrace.get(traceId);
      if (!existing) {
        // The common case, a whole trace in one batch: the row is written once, from the spans in hand.
        const row = traceTotals(traceId, spans, {}, spanExtent(spans));
        insertTrace.run({ ...row, name: row.name ?? earliestName(spans) });
        const inserted = insertSpans(traceId, spans);
        if (inserted.length !== spans.length) updateTrace.run({ ...traceTotals(traceId, [], JSON.parse(row.attributes) as Record<string, unknown>, spanExtent(spans)), inserted: inserted.length - spans.length });
        return true;
      }
      const inserted = insertSpans(traceId, spans);
      const range = (rootTimes.get(traceId) ?? bounds.get(traceId)) as { start: bigint; end: bigint };
      updateTrace.run(traceTotals(traceId, inserted, JSON.parse(existing.attributes) as Record<string, unknown>, range));
      return false;
    };
    return conn.transaction((groups: Map<string, ReadableSpan[]>) => {
      let created = 0;
      for (const [traceId, spans] of groups) if (writeTrace(traceId, spans)) created++;
      return created;
    });
  }

  function connection(): Database.Database | undefined {
    if (!db && opener) db = opener();
    return db;
  }

  return {
    export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
      try {
        const conn = connection();
        if (!conn || spans.length === 0) return resultCallback({ code: EXPORT_SUCCESS });
        writer ??= prepare(conn).immediate as unknown as (groups: Map<string, ReadableSpan[]>) => number;
        sincePrune += writer(groupByTrace(spans));
        if (sincePrune >= pruneEvery) {
          pruneTraces({ db: conn, keep: options.keep, maxAgeDays: options.maxAgeDays });
          sincePrune = 0;
        }
        resultCallback({ code: EXPORT_SUCCESS });
      } catch (error) {
        resultCallback({ code: EXPORT_FAILED, error: error instanceof Error ? error : new Error(String(error)) });
      }
    },
    async shutdown(): Promise<void> {
      if (db && closeOnShutdown && db.open) db.close();
      db = undefined;
      writer = undefined;
    },
    async forceFlush(): Promise<void> {},
  };
}
