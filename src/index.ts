// The library's public surface. The CLI and the server use only what is exported here.
export * from './spec/index.js';
export * from './text/index.js';
export { loadDocument } from './ingest/loaders/index.js';
export { splitDocument } from './ingest/split/split-document.js';
export { walkFiles, type WalkOptions, type WalkEntry } from './ingest/walk-files.js';
export {
  ingest,
  buildChunks,
  DEFAULT_COLLECTION,
  DEFAULT_MAX_FILE_SIZE,
  type IngestOptions,
  type IngestProgress,
  type IngestReport,
  type IngestFailure,
} from './ingest/ingest.js';
export { SqliteStore, openSqliteStore, documentUid, type OpenSqliteStoreOptions } from './store/sqlite/sqlite-store.js';
// One async store contract (`Store`): `openStore` opens SQLite for a path and PostgreSQL for a postgres:// URL.
export { openStore, isPostgresLocation, postgresStoreOptions, type OpenStoreOptions } from './store/open-store.js';
export { asAsyncStore, syncStoreOf } from './store/contract/async-store.js';
export { PostgresStore, openPostgresStore, type OpenPostgresStoreOptions, type HnswOptions } from './store/postgres/postgres-store.js';
export { keywordSearch, type KeywordSearchOptions, type FeedbackOptions } from './retrieve/keyword-search.js';
export * from './rag/index.js';
export * from './prompt/index.js';
export { search, searchWithNotes, SEARCH_MODES, type SearchMode, type SearchOptions, type SearchResult } from './retrieve/search.js';
export { fuseRankings, DEFAULT_VECTOR_WEIGHT, type FusionOptions } from './retrieve/fuse.js';
export { embedChunks, type EmbedChunksOptions, type EmbedProgress } from './ingest/embed-chunks.js';
export { evaluateRetrieval, RETRIEVAL_METRICS, type EvaluateRetrievalOptions, type RetrievalEvaluation } from './eval/retrieval-eval.js';
export { readBeirDataset } from './eval/beir.js';
export { evaluateRun, writeTrecRun, percentile } from './eval/metrics.js';
export { createUseLiteEmbedder, resolveEmbedder } from './models/embedders/index.js';
export { createChunkPool, sharedChunkPool, type ChunkPool } from './ingest/chunk-pool.js';
export { createOpenAICompatibleModel, type OpenAICompatibleOptions } from './models/providers/openai-compatible.js';
export { createAnthropicModel, type AnthropicOptions } from './models/providers/anthropic.js';
export { withRetry, type RetryOptions } from './models/middleware/with-retry.js';
export { resolveLanguageModel, type ResolveModelOptions } from './models/resolve-model.js';
export { withCache, requestKey, type CacheOptions } from './models/middleware/with-cache.js';
export { probeLocalServers, LOCAL_SERVERS, type LocalServer } from './models/probe-local-servers.js';
export { withConcurrency } from './models/middleware/with-concurrency.js';
// Conversations, API keys and split defaults: what `lore chat` and `lore serve` build on.
export type { SessionStore, SessionInfo, SessionTurn } from './spec/session.js';
export type { ApiKeyInfo, ApiKeyStore } from './spec/api-keys.js';
export { chatTurn, type ChatTurnOptions, type ChatTurnResult, type ChatMemoryOptions } from './rag/chat-turn.js';
export { createSqliteSessionStore } from './store/sqlite/session-store.js';
export { createSqliteApiKeyStore, hashApiKey } from './store/sqlite/api-key-store.js';
// The same companions over PostgreSQL, shared by every server on one database; `companionsOf(store)` picks them.
export { companionsOf, openCompanions, type StoreCompanions } from './store/open-companions.js';
export type { JobBoard, SharedJob } from './spec/job-board.js';
export { createPostgresSessionStore } from './store/postgres/postgres-session-store.js';
export { createPostgresApiKeyStore } from './store/postgres/postgres-api-key-store.js';
export { createPostgresEvalRunStore } from './store/postgres/postgres-eval-run-store.js';
export { DEFAULT_SPLIT_OPTIONS } from './ingest/split/split-options.js';
// Tracing: OpenTelemetry spans of every step, stored in the database and sent over OTLP (`startTracing`).
export * from './trace/index.js';
export { withTracing, type TracingOptions } from './models/middleware/with-tracing.js';
// Agents: the tool-calling loop, built-in tools, MCP client and Lore's MCP server.
export * from './agent/index.js';
// Text-to-SQL: read-only SQLite/PostgreSQL connections, schema introspection, validation, `askSql`, the SQL agent tool.
export * from './sql/index.js';
// Retrieval steps: the pipeline (rerank → context → compress) and the query side (multi-query, HyDE, routing).
export { retrieve, type RetrieveOptions, type RetrieveResult, type PipelineSteps, type RerankChoice, type ContextStep, type CompressStep } from './retrieve/pipeline.js';
export { parsePipeline, formatPipeline } from './retrieve/pipeline-spec.js';
export { expandContext, CONTEXT_MODES, type ContextMode } from './retrieve/expand-context.js';
export { compressContext } from './retrieve/compress-context.js';
export { isContextHit, toContextHit, type ContextHit } from './retrieve/context-hit.js';
export { createMmrReranker } from './retrieve/rerank/mmr.js';
export { createEmbeddingReranker } from './retrieve/rerank/embedding-rerank.js';
export { applyRerankScores, applyRerankOrder, type Reranker } from './retrieve/rerank/reranker.js';
export * from './retrieve/query/index.js';
export { verifyAnswer } from './rag/verify-citations.js';
export type { Verification } from './rag/verification.js';
// Evaluation: RAG metrics with a judge model, test-set generation, stored runs, comparisons and reports.
export { evaluateRag, type EvaluateRagOptions, type RagEvaluation } from './eval/rag/rag-eval.js';
export { createJudge } from './eval/rag/judge.js';
export { RAG_METRICS, type RagMetric, type MetricResult } from './eval/rag/metric-result.js';
export { readTestSet, parseTestSet, type TestItem } from './eval/rag/test-set.js';
export { generateTestSet, type GenerateTestSetOptions } from './eval/generate-testset.js';
export { compareRuns } from './eval/runs/compare-runs.js';
export { writeReport, renderReport } from './eval/report/write-report.js';
export { createSqliteEvalRunStore } from './store/sqlite/eval-run-store.js';
export type { EvalRun, EvalItem, StoredEvalRun, MetricSummary, EvalRunStore } from './spec/eval-runs.js';
// Guards: injection/jailbreak detection, secrets and PII (`redact`), canaries, output sanitising, `withGuard`; the red team.
export * from './guard/index.js';
export { runRedteam, createObedientModel, renderRedteamHtml, PROBE_FAMILIES, type RedteamReport, type RedteamOptions, type ProbeFamily } from './guard/redteam/index.js';
// Distributed ingestion: `lore ingest --queue` / `lore worker` as functions (BullMQ on Redis, loaded on first use).
export { enqueueFiles, startIngestWorker, queueStatus } from './queue/index.js';
export type { EnqueueFilesOptions, EnqueueReport, IngestWorker, IngestWorkerOptions, IngestWorkerEvent, QueueStatus, QueueStatusOptions, BatchStatus } from './queue/index.js';
export { ingestBytes, ingestSettingsKey, type IngestBytesOptions } from './ingest/ingest.js';
export { embedDocument, type EmbedDocumentOptions } from './ingest/embed-document.js';
