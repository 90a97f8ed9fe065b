import type { Tracer } from '@opentelemetry/api';
import type { SpanExporter, SpanProcessor } from '@opentelemetry/sdk-trace-base';
import type Database from 'better-sqlite3';
import { LoreError } from '../spec/errors.js';
import type { RetentionOptions } from './prune-traces.js';
import { redactSecrets } from './redact-secrets.js';
import { activeTracing, setActiveTracing, type Redactor, type TracingState } from './tracing-state.js';

export const DEFAULT_MAX_CONTENT_CHARS = 2000;

export interface StartTracingOptions extends RetentionOptions {
  /** `service.name` of the spans (default `lore`). */
  serviceName?: string;
  serviceVersion?: string;
  /** Store spans in this open Lore database (the caller keeps and closes it). */
  db?: Database.Database;
  /**
   * Or in the Lore database at this path, through a connection of the tracer's own (opened at the first
   * batch, once the file exists; closed at shutdown). Works while the caller holds a read-only connection.
   * A `postgres://` URL stores them in that PostgreSQL database (its `?schema=`), through a small pool of
   * the tracer's own, once Lore's tables exist there.
   */
  dbPath?: string;
  /** Also send spans over OTLP/HTTP (JSON) to this URL, e.g. http://localhost:4318/v1/traces. */
  otlpUrl?: string;
  otlpHeaders?: Record<string, string>;
  /** Longest wait for the collector per batch, also at shutdown (default 10 000 ms). */
  otlpTimeoutMs?: number;
  /** Record inputs and outputs (prompts, retrieved text, answers) on spans (default false). */
  recordContent?: boolean;
  /** Masks recorded content (default: `redactSecrets`); false records it as it is. */
  redact?: Redactor | false;
  /** Longest recorded text, in characters (default 2000). */
  maxContentChars?: number;
  /** More exporters (each behind its own batch processor). */
  exporters?: SpanExporter[];
  /** Milliseconds between batch exports (default 1000). */
  flushIntervalMs?: number;
}

export interface Tracing {
  tracer: Tracer;
  /** Exports every finished span now. */
  forceFlush(): Promise<void>;
  /** Exports what is left, closes the exporters and turns tracing off in this process. */
  shutdown(): Promise<void>;
}

/**
 * Starts OpenTelemetry tracing for Lore in this process: spans of ingest, retrieval, model calls and chat
 * turns go to the Lore database (batched, one transaction per batch, with retention) and, when configured,
 * to an OTLP/HTTP collector (Jaeger, Langfuse, Phoenix…). One tracing at a time: shut it down to start
 * another. Until it starts, instrumented code does nothing and no OpenTelemetry code is even loaded (the
 * SDK takes ~100 ms to import), which is why this is async.
 */
export async function startTracing(options: StartTracingOptions = {}): Promise<Tracing> {
  if (activeTracing()) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'Tracing is already running in this process', hint: 'call shutdown() on it before starting another' });
  }
  const [api, { AsyncLocalStorageContextManager }, { BasicTracerProvider, BatchSpanProcessor }, { resourceFromAttributes }, semconv, { createSqliteSpanExporter, openTraceDatabase }] =
    await Promise.all([
      import('@opentelemetry/api'),
      import('@opentelemetry/context-async-hooks'),
      import('@opentelemetry/sdk-trace-base'),
      import('@opentelemetry/resources'),
      import('@opentelemetry/semantic-conventions'),
      import('./sqlite-span-exporter.js'),
    ]);
  const batch = { scheduledDelayMillis: options.flushIntervalMs ?? 1000, maxExportBatchSize: 512, maxQueueSize: 8192 };
  const processors: SpanProcessor[] = [];
  const retention = { keep: options.keep, maxAgeDays: options.maxAgeDays };
  if (options.db) processors.push(new BatchSpanProcessor(createSqliteSpanExporter({ db: options.db, ...retention }), batch));
  else if (options.dbPath && /^postgres(ql)?:\/\//i.test(options.dbPath.trim())) {
    const [{ createPostgresSpanExporter }, { postgresStoreOptions }] = await Promise.all([import('./postgres-span-exporter.js'), import('../store/open-store.js')]);
    const { url, schema, poolSize } = postgresStoreOptions({ url: options.dbPath });
    // Two connections at most: a batch a second needs one; the URL's pool_size lowers it (PGlite takes one).
    processors.push(new BatchSpanProcessor(createPostgresSpanExporter({ url, schema, poolSize: Math.min(poolSize ?? 2, 2), ...retention }), batch));
  } else if (options.dbPath) {
    const path = options.dbPath;
    processors.push(new BatchSpanProcessor(createSqliteSpanExporter({ db: () => openTraceDatabase({ path }), ...retention }), batch));
  }
  if (options.otlpUrl) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    const exporter = new OTLPTraceExporter({ url: options.otlpUrl, headers: options.otlpHeaders, timeoutMillis: options.otlpTimeoutMs ?? 10_000 });
    processors.push(new BatchSpanProcessor(exporter, batch));
  }
  for (const exporter of options.exporters ?? []) processors.push(new BatchSpanProcessor(exporter, batch));
  if (activeTracing()) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'Tracing is already running in this process', hint: 'call shutdown() on it before starting another' });
  }

  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      [semconv.ATTR_SERVICE_NAME]: options.serviceName ?? 'lore',
      ...(options.serviceVersion ? { [semconv.ATTR_SERVICE_VERSION]: options.serviceVersion } : {}),
    }),
    spanProcessors: processors,
    // A bound on any one attribute: recorded content is cut far below this, but a caller's own may not be.
    spanLimits: { attributeValueLengthLimit: 64 * 1024 },
  });
  // Spans started in async code find their parent through AsyncLocalStorage. A context manager the
  // application registered itself is left in place (and works the same).
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const ownsContext = api.context.setGlobalContextManager(contextManager);
  if (!ownsContext) contextManager.disable();

  const tracer = provider.getTracer('lore', options.serviceVersion);
  const state: TracingState = {
    api,
    tracer,
    content: {
      record: options.recordContent ?? false,
      maxChars: options.maxContentChars ?? DEFAULT_MAX_CONTENT_CHARS,
      redact: options.redact === false ? undefined : (options.redact ?? redactSecrets),
    },
    rootContext: undefined,
  };
  setActiveTracing(state);
  let stopped: Promise<void> | undefined;
  return {
    tracer,
    forceFlush: () => provider.forceFlush(),
    shutdown() {
      stopped ??= (async () => {
        if (activeTracing() === state) setActiveTracing(undefined);
        try {
          await provider.shutdown();
        } finally {
          if (ownsContext) api.context.disable();
        }
      })();
      return stopped;
    },
  };
}
