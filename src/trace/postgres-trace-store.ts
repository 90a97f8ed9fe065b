import type pg from 'pg';
import { LoreError } from '../spec/errors.js';
import { DEFAULT_TRACES_KEPT } from './prune-traces.js';
import { buildSpanTree, type TraceScope, type TraceSummary } from './read-traces.js';
import type { TraceStore } from './trace-store.js';

interface TraceRow {
  trace_id: string;
  name: string;
  started_at: string;
  duration_ms: number;
  status: 'ok' | 'error';
  collection: string | null;
  span_count: number | string;
  input_tokens: number | string;
  output_tokens: number | string;
  cost_usd: number | null;
  attributes: unknown;
}

interface SpanRow {
  span_id: string;
  parent_id: string | null;
  name: string;
  kind: string;
  start_offset: string;
  duration: string;
  status: 'ok' | 'error';
  status_message: string | null;
  attributes: unknown;
  events: unknown;
}

const json = <T>(value: unknown, fallback: T): T => (value === null || value === undefined ? fallback : ((typeof value === 'string' ? JSON.parse(value) : value) as T));

function toSummary(row: TraceRow): TraceSummary {
  return {
    traceId: row.trace_id,
    name: row.name,
    startedAt: row.started_at,
    durationMs: Number(row.duration_ms),
    status: row.status,
    collection: row.collection,
    spanCount: Number(row.span_count),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    costUsd: row.cost_usd === null ? null : Number(row.cost_usd),
    attributes: json<Record<string, unknown>>(row.attributes, {}),
  };
}

function scopeClause(scope: TraceScope, params: unknown[]): string {
  if (scope === undefined) return '';
  if (scope.length === 0) return ' AND false';
  params.push([...scope]);
  return ` AND collection = ANY($${params.length}::text[])`;
}

/**
 * Traces in PostgreSQL (schema v2 of the Postgres store), written by `createPostgresSpanExporter` from
 * every server and command on the database, read here with the same filters, scoping, prefixes and
 * retention as the SQLite reader (`read-traces.ts`, `prune-traces.ts`).
 */
export function createPostgresTraceStore(pool: pg.Pool): TraceStore {
  return {
    async listTraces(options = {}) {
      const params: unknown[] = [];
      let where = 'WHERE true';
      if (options.errorsOnly) where += " AND status = 'error'";
      if (options.collection !== undefined) {
        params.push(options.collection);
        where += ` AND collection = $${params.length}`;
      }
      where += scopeClause(options.scope, params);
      const order = options.order === 'slowest' ? 'duration_ms DESC' : 'started_at DESC';
      params.push(Math.max(1, Math.floor(options.limit ?? 20)));
      return (await pool.query<TraceRow>(`SELECT * FROM traces ${where} ORDER BY ${order}, trace_id LIMIT $${params.length}`, params)).rows.map(toSummary);
    },
    async getTrace(options) {
      const id = options.traceId.trim().toLowerCase();
      if (!/^[0-9a-f]{4,32}$/.test(id)) {
        throw new LoreError({ code: 'INVALID_ARGUMENT', message: `"${options.traceId}" is not a trace id`, hint: 'give the id (or its first characters) as `lore traces` shows it', subject: options.traceId });
      }
      const params: unknown[] = [id.length === 32 ? id : `${id}%`];
      const scope = scopeClause(options.scope, params);
      const rows = (await pool.query<TraceRow>(`SELECT * FROM traces WHERE trace_id ${id.length === 32 ? '=' : 'LIKE'} $1 ${scope} LIMIT 2`, params)).rows;
      if (rows.length > 1) {
        throw new LoreError({ code: 'INVALID_ARGUMENT', message: `Several traces start with "${id}"`, hint: 'give more characters of the id', subject: id });
      }
      const row = rows[0];
      if (!row) return undefined;
      // Nanosecond values do not fit a double: differences are taken in SQL and read as text.
      const spans = await pool.query<SpanRow>(
        `SELECT span_id, parent_id, name, kind,
                (start_ns - coalesce((SELECT min(start_ns) FROM spans WHERE trace_id = $1 AND parent_id IS NULL), (SELECT min(start_ns) FROM spans WHERE trace_id = $1)))::text AS start_offset,
                (end_ns - start_ns)::text AS duration, status, status_message, attributes, events
         FROM spans WHERE trace_id = $1 ORDER BY start_ns, span_id`,
        [row.trace_id],
      );
      return {
        trace: toSummary(row),
        spans: buildSpanTree(
          spans.rows.map((r) => ({
            spanId: r.span_id,
            parentId: r.parent_id,
            name: r.name,
            kind: r.kind,
            startMs: Number(BigInt(r.start_offset)) / 1e6,
            durationMs: Number(BigInt(r.duration)) / 1e6,
            status: r.status,
            statusMessage: r.status_message,
            attributes: json<Record<string, unknown>>(r.attributes, {}),
            events: json(r.events, []),
          })),
        ),
      };
    },
    async pruneTraces(options = {}) {
      return prunePostgresTraces({ db: pool, ...options });
    },
  };
}

/**
 * Retention as in SQLite: the newest `keep` traces (ties at the cut go too), none older than `maxAgeDays`.
 * Several servers may prune at once: the deletes are idempotent, so the later one finds less to delete.
 */
export async function prunePostgresTraces(options: { db: pg.Pool | pg.PoolClient; keep?: number; maxAgeDays?: number; now?: Date }): Promise<number> {
  const { db } = options;
  const keep = Math.max(0, Math.floor(options.keep ?? DEFAULT_TRACES_KEPT));
  const byCount = (await db.query<{ started_at: string }>('SELECT started_at FROM traces ORDER BY started_at DESC LIMIT 1 OFFSET $1', [keep])).rows[0]?.started_at;
  const byAge = options.maxAgeDays === undefined ? undefined : new Date((options.now ?? new Date()).getTime() - options.maxAgeDays * 86_400_000).toISOString();
  let deleted = 0;
  // Spans go with their trace (ON DELETE CASCADE).
  if (byCount !== undefined) deleted += (await db.query('DELETE FROM traces WHERE started_at <= $1', [byCount])).rowCount ?? 0;
  if (byAge !== undefined) deleted += (await db.query('DELETE FROM traces WHERE started_at < $1', [byAge])).rowCount ?? 0;
  return deleted;
}
