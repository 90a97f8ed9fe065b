import type Database from 'better-sqlite3';
import { LoreError } from '../spec/errors.js';

/** One stored trace with its totals, as `lore traces` and `GET /api/traces` list them. */
export interface TraceSummary {
  traceId: string;
  /** The root span's name: `lore ask`, `retrieve.search`, … */
  name: string;
  startedAt: string;
  durationMs: number;
  /** `error` when any of its spans failed. */
  status: 'ok' | 'error';
  /** The collection every span that named one named; null for none or several. */
  collection: string | null;
  spanCount: number;
  inputTokens: number;
  outputTokens: number;
  /** US dollars of its model calls, when known. */
  costUsd: number | null;
  attributes: Record<string, unknown>;
}

/** A span in a trace tree; times are milliseconds from the start of the trace. */
export interface TraceSpan {
  spanId: string;
  parentId: string | null;
  name: string;
  kind: string;
  startMs: number;
  durationMs: number;
  status: 'ok' | 'error';
  statusMessage: string | null;
  attributes: Record<string, unknown>;
  events: Array<{ name: string; atMs: number; attributes?: Record<string, unknown> }>;
  children: TraceSpan[];
}

export interface TraceDetail {
  trace: TraceSummary;
  /** Root spans (normally one), children in start order. */
  spans: TraceSpan[];
}

interface TraceRow {
  trace_id: string;
  name: string;
  started_at: string;
  duration_ms: number;
  status: 'ok' | 'error';
  collection: string | null;
  span_count: number;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number | null;
  attributes: string;
}

interface SpanRow {
  span_id: string;
  parent_id: string | null;
  name: string;
  kind: string;
  start_offset: bigint;
  duration: bigint;
  status: 'ok' | 'error';
  status_message: string | null;
  attributes: string;
  events: string;
}

function toSummary(row: TraceRow): TraceSummary {
  return {
    traceId: row.trace_id,
    name: row.name,
    startedAt: row.started_at,
    durationMs: row.duration_ms,
    status: row.status,
    collection: row.collection,
    spanCount: row.span_count,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    costUsd: row.cost_usd,
    attributes: JSON.parse(row.attributes) as Record<string, unknown>,
  };
}

/** `undefined`: every collection; otherwise only traces that belong to one of these. */
export type TraceScope = readonly string[] | undefined;

function scopeClause(scope: TraceScope, params: unknown[]): string {
  if (scope === undefined) return '';
  params.push(...scope);
  return scope.length === 0 ? ' AND 0' : ` AND collection IN (${scope.map(() => '?').join(', ')})`;
}

export interface ListTracesOptions {
  db: Database.Database;
  /** At most this many (default 20). */
  limit?: number;
  /** `recent` (default): newest first; `slowest`: longest first. */
  order?: 'recent' | 'slowest';
  /** Only traces with a failed span. */
  errorsOnly?: boolean;
  /** Only this collection's traces. */
  collection?: string;
  /** What the caller may see (an API key's collections). */
  scope?: TraceScope;
}

export function listTraces(options: ListTracesOptions): TraceSummary[] {
  const params: unknown[] = [];
  let where = 'WHERE 1';
  if (options.errorsOnly) where += " AND status = 'error'";
  if (options.collection !== undefined) {
    where += ' AND collection = ?';
    params.push(options.collection);
  }
  where += scopeClause(options.scope, params);
  const order = options.order === 'slowest' ? 'duration_ms DESC' : 'started_at DESC';
  params.push(Math.max(1, Math.floor(options.limit ?? 20)));
  return (options.db.prepare(`SELECT * FROM traces ${where} ORDER BY ${order} LIMIT ?`).all(...params) as TraceRow[]).map(toSummary);
}

/**
 * One trace with its span tree. `traceId` may be a prefix of at least 4 hex digits, as `lore traces` shows
 * ids; a prefix that matches several traces is refused. Out of scope reads as not found.
 */
export function getTrace(options: { db: Database.Database; traceId: string; scope?: TraceScope }): TraceDetail | undefined {
  const id = options.traceId.trim().toLowerCase();
  if (!/^[0-9a-f]{4,32}$/.test(id)) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `"${options.traceId}" is not a trace id`, hint: 'give the id (or its first characters) as `lore traces` shows it', subject: options.traceId });
  }
  const params: unknown[] = [id.length === 32 ? id : `${id}%`];
  const scope = scopeClause(options.scope, params);
  const rows = options.db.prepare(`SELECT * FROM traces WHERE trace_id ${id.length === 32 ? '=' : 'LIKE'} ? ${scope} LIMIT 2`).all(...params) as TraceRow[];
  if (rows.length > 1) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Several traces start with "${id}"`, hint: 'give more characters of the id', subject: id });
  }
  const row = rows[0];
  if (!row) return undefined;
  const spanRows = options.db
    .prepare(
      `SELECT span_id, parent_id, name, kind,
              start_ns - coalesce((SELECT min(start_ns) FROM spans WHERE trace_id = @id AND parent_id IS NULL), (SELECT min(start_ns) FROM spans WHERE trace_id = @id)) AS start_offset,
              end_ns - start_ns AS duration, status, status_message, attributes, events
       FROM spans WHERE trace_id = @id ORDER BY start_ns, span_id`,
    )
    .safeIntegers(true)
    .all({ id: row.trace_id }) as SpanRow[];
  return {
    trace: toSummary(row),
    spans: buildSpanTree(
      spanRows.map((r) => ({
        spanId: r.span_id,
        parentId: r.parent_id,
        name: r.name,
        kind: r.kind,
        startMs: Number(r.start_offset) / 1e6,
        durationMs: Number(r.duration) / 1e6,
        status: r.status,
        statusMessage: r.status_message,
        attributes: JSON.parse(r.attributes) as Record<string, unknown>,
        events: JSON.parse(r.events) as TraceSpan['events'],
      })),
    ),
  };
}

/**
 * Spans (in start order) into trees: parents before children by start time; a span whose parent was never
 * stored (dropped) becomes a root. Shared by the SQLite and PostgreSQL readers.
 */
export function buildSpanTree(spans: Array<Omit<TraceSpan, 'children'>>): TraceSpan[] {
  const byId = new Map<string, TraceSpan>();
  for (const span of spans) byId.set(span.spanId, { ...span, children: [] });
  const roots: TraceSpan[] = [];
  for (const span of byId.values()) {
    const parent = span.parentId ? byId.get(span.parentId) : undefined;
    if (parent) parent.children.push(span);
    else roots.push(span);
  }
  return roots;
}
