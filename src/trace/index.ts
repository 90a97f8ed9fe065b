// Tracing: OpenTelemetry spans of every step, stored in the Lore database and exported over OTLP/HTTP.
export { GEN_AI, LORE } from './attributes.js';
export { startTracing, DEFAULT_MAX_CONTENT_CHARS, type StartTracingOptions, type Tracing } from './start-tracing.js';
export { isTracing, type Redactor, type ContentPolicy } from './tracing-state.js';
export { withSpan, startSpan, withActiveSpan, failSpan, NOOP_SPAN } from './with-span.js';
export { spanTime } from './span-clock.js';
export { startRootSpan, type RootSpan } from './root-span.js';
export { recordContent, isRecordingContent, contentValue } from './record-content.js';
export { redactSecrets } from './redact-secrets.js';
export { withToolSpan, type ToolSpanOptions } from './tool-span.js';
export { traceEmbedder } from './traced-embedder.js';
export { createSqliteSpanExporter, openTraceDatabase, type SqliteSpanExporterOptions } from './sqlite-span-exporter.js';
export { listTraces, getTrace, type TraceSummary, type TraceSpan, type TraceDetail, type TraceScope, type ListTracesOptions } from './read-traces.js';
export { pruneTraces, DEFAULT_TRACES_KEPT, type RetentionOptions } from './prune-traces.js';
export type { TraceStore, TraceQuery } from './trace-store.js';
export { createSqliteTraceStore } from './sqlite-trace-store.js';
export { createPostgresTraceStore } from './postgres-trace-store.js';
