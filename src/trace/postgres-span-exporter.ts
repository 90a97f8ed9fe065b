import type { ExportResult } from '@opentelemetry/core';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';
import pg from 'pg';
import { prunePostgresTraces } from './postgres-trace-store.js';
import type { RetentionOptions } from './prune-traces.js';
import { earliestName, groupByTrace, spanExtent, spanRecord, traceTotals, type TraceTotals } from './trace-totals.js';

export interface PostgresSpanExporterOptions extends RetentionOptions {
  /**
   * An open pool whose connections resolve Lore's tables (a PostgresStore's `pool`), or the database URL:
   * then the exporter opens a small pool of its own (`poolSize`, default 2) at the first batch, and closes it
   * at shutdown. Spans of a batch before the tables exist (a database no Lore has migrated) are dropped.
   */
  pool?: pg.Pool;
  url?: string;
  /** The schema of Lore's tables, with `url` (default `public`); a given `pool` has its own search_path. */
  schema?: string;
  poolSize?: number;
  /** Prune old traces after this many new ones (default 1: after every batch that began a trace). */
  pruneEvery?: number;
}

const EXPORT_SUCCESS = 0;
const EXPORT_FAILED = 1;

/** The schema names Lore accepts (as PostgresStore): nothing to quote. */
const SCHEMA = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Stores finished spans in PostgreSQL as the SQLite exporter does in a file — same rows, same trace totals
 * (trace-totals.ts), one transaction per batch — so that every server on one database lists every server's
 * traces. Batches are written one after another; a trace's row is locked while a batch adds to it.
 */
export function createPostgresSpanExporter(options: PostgresSpanExporterOptions): SpanExporter {
  const schema = options.schema ?? 'public';
  if (!SCHEMA.test(schema)) throw new Error(`"${schema}" is not a usable schema name`);
  const pruneEvery = options.pruneEvery ?? 1;
  let sincePrune = Number.POSITIVE_INFINITY;
  let pool = options.pool;
  let ownsPool = false;
  let ready = false;
  let chain: Promise<unknown> = Promise.resolve();
  let stopped = false;

  async function connection(): Promise<pg.Pool | undefined> {
    if (!pool) {
      if (!options.url) return undefined;
      pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 2, application_name: 'lore-traces', connectionTimeoutMillis: 10_000 });
      ownsPool = true;
      pool.on('error', () => {});
      pool.on('connect', (c) => {
        c.query(`SET search_path TO ${schema}, public`).catch(() => {});
      });
    }
    if (!ready) {
      // A given pool resolves Lore's tables through its search_path; one of our own looks in the named schema.
      const prefix = ownsPool ? `${schema}.` : '';
      const found = await pool.query<{ traces: string | null; spans: string | null }>(`SELECT to_regclass('${prefix}traces') AS traces, to_regclass('${prefix}spans') AS spans`);
      ready = Boolean(found.rows[0]?.traces && found.rows[0]?.spans);
    }
    return ready ? pool : undefined;
  }

  async function insertSpans(client: pg.PoolClient, traceId: string, spans: ReadableSpan[]): Promise<ReadableSpan[]> {
    const rows = spans.map((span) => {
      const r = spanRecord(span);
      return { ...r, startNs: String(r.startNs), endNs: String(r.endNs) };
    });
    const inserted = await client.query<{ span_id: string }>(
      `INSERT INTO spans (span_id, trace_id, parent_id, name, kind, start_ns, end_ns, status, status_message, attributes, events)
       SELECT s."spanId", $1, s."parentId", s.name, s.kind, s."startNs"::bigint, s."endNs"::bigint, s.status, s."statusMessage", s.attributes, s.events
       FROM json_to_recordset($2::json) AS s("spanId" text, "parentId" text, name text, kind text, "startNs" text, "endNs" text, status text, "statusMessage" text, attributes json, events json)
       ON CONFLICT (span_id) DO NOTHING RETURNING span_id`,
      [traceId, JSON.stringify(rows)],
    );
    // A span exported twice (a retried batch) is counted once.
    const ids = new Set(inserted.rows.map((r) => r.span_id));
    return spans.filter((s) => ids.has(s.spanContext().spanId));
  }

  const insertTrace = (client: pg.PoolClient, t: TraceTotals, name: string) =>
    client.query(
      `INSERT INTO traces (trace_id, name, started_at, duration_ms, status, collection, span_count, input_tokens, output_tokens, cost_usd, attributes)
       VALUES ($1, $2, $3, $4, CASE WHEN $5 = 1 THEN 'error' ELSE 'ok' END, $6, $7, $8, $9, $10, $11) ON CONFLICT (trace_id) DO NOTHING`,
      [t.traceId, name, t.startedAt, t.durationMs, t.error, t.collection, t.inserted, t.input, t.output, t.cost, t.attributes],
    );

  const updateTrace = (client: pg.PoolClient, t: TraceTotals) =>
    client.query(
      `UPDATE traces SET
         name = coalesce($2, name),
         started_at = $3,
         duration_ms = $4,
         status = CASE WHEN $5 = 1 THEN 'error' ELSE status END,
         collection = $6,
         span_count = span_count + $7,
         input_tokens = input_tokens + $8,
         output_tokens = output_tokens + $9,
         cost_usd = CASE WHEN $10::double precision IS NULL THEN cost_usd ELSE coalesce(cost_usd, 0) + $10 END,
         attributes = $11
       WHERE trace_id = $1`,
      [t.traceId, t.name, t.startedAt, t.durationMs, t.error, t.collection, t.inserted, t.input, t.output, t.cost, t.attributes],
    );

  /** Writes one trace's spans; true when its row is new. */
  async function writeTrace(client: pg.PoolClient, traceId: string, spans: ReadableSpan[]): Promise<boolean> {
    const existing = (await client.query<{ attributes: unknown }>('SELECT attributes FROM traces WHERE trace_id = $1 FOR UPDATE', [traceId])).rows[0];
    if (!existing) {
      const row = traceTotals(traceId, spans, {}, spanExtent(spans));
      await insertTrace(client, row, row.name ?? earliestName(spans));
      const inserted = await insertSpans(client, traceId, spans);
      if (inserted.length !== spans.length) {
        await updateTrace(client, { ...traceTotals(traceId, [], JSON.parse(row.attributes) as Record<string, unknown>, spanExtent(spans)), inserted: inserted.length - spans.length });
      }
      return true;
    }
    const before = (typeof existing.attributes === 'string' ? JSON.parse(existing.attributes) : existing.attributes) as Record<string, unknown>;
    const inserted = await insertSpans(client, traceId, spans);
    // The root span's times once it is stored (children end inside it); until then, the spans' extent.
    const times = await client.query<{ start: string | null; end: string | null }>(
      `SELECT coalesce(r.start_ns, b.start_ns)::text AS start, coalesce(r.end_ns, b.end_ns)::text AS "end"
       FROM (SELECT min(start_ns) AS start_ns, max(end_ns) AS end_ns FROM spans WHERE trace_id = $1) b
       LEFT JOIN LATERAL (SELECT start_ns, end_ns FROM spans WHERE trace_id = $1 AND parent_id IS NULL ORDER BY start_ns LIMIT 1) r ON true`,
      [traceId],
    );
    const t = times.rows[0]!;
    await updateTrace(client, traceTotals(traceId, inserted, before, { start: BigInt(t.start ?? '0'), end: BigInt(t.end ?? '0') }));
    return false;
  }

  async function write(spans: ReadableSpan[]): Promise<void> {
    const db = await connection();
    if (!db || spans.length === 0) return;
    const client = await db.connect();
    let created = 0;
    try {
      await client.query('BEGIN');
      for (const [traceId, group] of groupByTrace(spans)) if (await writeTrace(client, traceId, group)) created++;
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
    sincePrune += created;
    if (sincePrune >= pruneEvery) {
      await prunePostgresTraces({ db, keep: options.keep, maxAgeDays: options.maxAgeDays });
      sincePrune = 0;
    }
  }

  return {
    export(spans: ReadableSpan[], resultCallback: (result: ExportResult) => void): void {
      if (stopped) return resultCallback({ code: EXPORT_FAILED, error: new Error('exporter is shut down') });
      const run = chain.then(() => write(spans));
      chain = run.catch(() => undefined);
      run.then(
        () => resultCallback({ code: EXPORT_SUCCESS }),
        (error: unknown) => resultCallback({ code: EXPORT_FAILED, error: error instanceof Error ? error : new Error(String(error)) }),
      );
    },
    async shutdown(): Promise<void> {
      stopped = true;
      await chain;
      if (pool && ownsPool) await pool.end().catch(() => {});
      pool = undefined;
    },
    async forceFlush(): Promise<void> {
      await chain;
    },
  };
}
