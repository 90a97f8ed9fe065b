import { z } from 'zod';

// The REST API's request and response shapes. They validate requests and generate /openapi.json, so the
// document cannot drift from what the server accepts. Responses are loose objects: fields may be added.

export const SEARCH_MODE = z.enum(['keyword', 'vector', 'hybrid']);

export const CollectionName = z
  .string()
  .regex(/^[\p{L}\p{N}][\p{L}\p{N}_.-]{0,63}$/u, '1–64 letters, digits, "_", "-" or ".", starting with a letter or digit')
  .meta({ description: 'Collection name', example: 'manuals' });

const Scalar = z.union([z.string(), z.number(), z.boolean(), z.null()]);
export const Metadata = z.record(z.string(), z.union([Scalar, z.array(Scalar)]));

export const ApiError = z.object({
  error: z.object({
    code: z.string().meta({ description: 'Stable code: INVALID_ARGUMENT, UNAUTHORIZED, FORBIDDEN, NOT_FOUND, PAYLOAD_TOO_LARGE, RATE_LIMITED, OVERLOADED, …' }),
    message: z.string(),
    issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

// ---- collections ----

export const Collection = z.looseObject({
  name: z.string(),
  documentCount: z.number().int(),
  chunkCount: z.number().int(),
  createdAt: z.string(),
  embedder: z.string().nullable().meta({ description: 'The embedder its vectors come from; null before any were made' }),
});
export const CollectionList = z.object({ collections: z.array(Collection) });
export const CreateCollectionBody = z.object({ name: CollectionName });
export const CollectionResponse = z.object({ collection: Collection, created: z.boolean() });

// ---- documents and ingestion ----

export const DOCUMENT_STATUS = z.enum(['queued', 'ingesting', 'embedding', 'ready', 'failed']);

export const ProblemInfo = z.object({ code: z.string(), message: z.string() });

export const DocumentItem = z.looseObject({
  id: z.string().nullable().meta({ description: 'Stable document id (survives re-ingestion); null until the upload is stored' }),
  documentId: z.number().int().nullable().meta({ description: 'Numeric id, as citations and search hits give it' }),
  collection: z.string(),
  name: z.string().meta({ description: 'File name, for display' }),
  source: z.string().nullable(),
  type: z.string().nullable(),
  title: z.string().nullable(),
  bytes: z.number().int().nullable(),
  chunkCount: z.number().int(),
  status: DOCUMENT_STATUS,
  error: ProblemInfo.nullable(),
  warnings: z.array(z.string()),
  jobId: z.string().nullable().meta({ description: 'The upload job that is ingesting (or failed to ingest) it' }),
  updatedAt: z.string().nullable(),
});
export const DocumentList = z.object({ documents: z.array(DocumentItem) });

export const JOB_STATUS = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export const JobFile = z.looseObject({
  name: z.string(),
  bytes: z.number().int(),
  status: DOCUMENT_STATUS,
  documentId: z.string().nullable(),
  error: ProblemInfo.nullable(),
  warnings: z.array(z.string()),
});
export const Job = z.looseObject({
  id: z.string(),
  collection: z.string(),
  kind: z.enum(['upload', 'reingest']),
  status: JOB_STATUS,
  phase: z.enum(['queued', 'loading', 'embedding', 'done']),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  files: z.array(JobFile),
  progress: z.object({
    filesDone: z.number().int(),
    filesTotal: z.number().int(),
    chunks: z.number().int(),
    embedded: z.number().int(),
    embedTotal: z.number().int(),
  }),
  error: ProblemInfo.nullable(),
});
export const JobResponse = z.object({ job: Job });
export const JobList = z.object({ jobs: z.array(Job) });

export const Chunk = z.looseObject({
  chunkId: z.number().int(),
  ordinal: z.number().int(),
  text: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  page: z.number().int().nullable(),
  headingPath: z.array(z.string()),
});
export const DocumentDetail = z.object({ document: DocumentItem });
export const ChunksQuery = z.object({
  from: z.coerce.number().int().min(0).optional().meta({ description: 'First ordinal (inclusive)' }),
  to: z.coerce.number().int().min(0).optional().meta({ description: 'Last ordinal (inclusive)' }),
});
export const ChunkList = z.object({ chunks: z.array(Chunk) });
export const Deleted = z.object({ deleted: z.boolean() });

// ---- search ----

export const SearchFilterBody = z.object({
  source: z.string().max(500).optional().meta({ description: 'Glob over the document source, e.g. **/*.pdf' }),
  type: z.string().max(64).optional().meta({ description: 'pdf, docx, html, markdown, csv, json, jsonl, text, code, or a MIME type' }),
  metadata: Metadata.optional(),
});

export const RetrievalSteps = z
  .object({
    rerank: z.enum(['none', 'mmr', 'embedding', 'llm']).optional().meta({ description: 'Rerank the candidates: mmr (diversity), embedding, llm (the answer model grades them)' }),
    context: z.enum(['window', 'parent']).optional().meta({ description: 'Hand back neighbouring chunks (window) or the enclosing section (parent)' }),
    compress: z.number().int().min(50).max(8000).optional().meta({ description: 'Keep only the sentences bearing on the query, within this many tokens in all' }),
    multiQuery: z.number().int().min(1).max(8).optional().meta({ description: 'Also search this many rephrasings written by the answer model, fused' }),
    hyde: z.boolean().optional().meta({ description: 'Also search with a hypothetical answer written by the answer model' }),
  })
  .meta({ description: 'Retrieval steps after (and before) search; each off unless given. llm, multiQuery and hyde need a model.' });

export const SearchBody = z.object({
  query: z.string().trim().min(1).max(2000),
  collection: CollectionName.optional().meta({ description: "Default: every collection the caller may see" }),
  mode: SEARCH_MODE.optional().meta({ description: 'Default hybrid' }),
  modes: z.array(SEARCH_MODE).min(1).max(3).optional().meta({ description: 'Several modes in one call, for a side-by-side view; overrides mode' }),
  k: z.number().int().min(1).max(100).default(10),
  filter: SearchFilterBody.optional(),
  expand: z.boolean().optional().meta({ description: 'RM3 query expansion on the keyword side (default: on in hybrid mode only)' }),
  steps: RetrievalSteps.optional(),
});

export const SearchHit = z.looseObject({
  chunkId: z.number().int(),
  documentId: z.number().int(),
  collection: z.string(),
  source: z.string(),
  title: z.string().nullable(),
  mimeType: z.string(),
  ordinal: z.number().int(),
  text: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  page: z.number().int().nullable(),
  headingPath: z.array(z.string()),
  metadata: Metadata,
  score: z.number(),
  scores: z.looseObject({ keyword: z.number().optional(), vector: z.number().optional(), fused: z.number().optional(), rerank: z.number().optional() }),
});

export const SearchResponse = z.object({
  query: z.string(),
  results: z.array(z.object({ mode: SEARCH_MODE, hits: z.array(SearchHit), notes: z.array(z.string()), tookMs: z.number() })),
});

// ---- answers ----

export const Citation = z.looseObject({
  n: z.number().int(),
  source: z.string(),
  title: z.string().nullable(),
  page: z.number().int().nullable(),
  headingPath: z.array(z.string()),
  quote: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  chunkId: z.number().int(),
  documentId: z.number().int(),
  collection: z.string(),
  score: z.number(),
});

export const Answer = z.looseObject({
  question: z.string(),
  mode: z.enum(['extractive', 'generative']),
  text: z.string().meta({ description: 'The answer, with [n] markers referring to citations[n]' }),
  citations: z.array(Citation),
  note: z.string().optional(),
  model: z.string().optional(),
  usage: z.looseObject({ inputTokens: z.number(), outputTokens: z.number(), estimated: z.boolean().optional() }).optional(),
});

export const StreamQuery = z.object({
  format: z.enum(['sse', 'ndjson', 'json']).optional().meta({ description: 'Overrides the Accept header: sse (default), ndjson, or json (no stream)' }),
});

export const AskBody = z.object({
  question: z.string().trim().min(1).max(4000),
  collection: CollectionName.optional(),
  mode: SEARCH_MODE.default('hybrid'),
  k: z.number().int().min(1).max(50).default(8),
  model: z.string().max(500).optional().meta({ description: '"extractive", or a model the server was started with (default: its answer model)' }),
  steps: RetrievalSteps.optional(),
});

export const AskResponse = z.object({ answer: Answer, hits: z.array(SearchHit) });

// ---- sessions ----

export const Session = z.looseObject({
  id: z.string(),
  title: z.string().nullable(),
  settings: z.record(z.string(), z.unknown()),
  turnCount: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export const SessionTurn = z.looseObject({
  id: z.number().int(),
  role: z.enum(['user', 'assistant']),
  content: z.string(),
  standalone: z.string().nullable(),
  citations: z.array(z.unknown()),
  createdAt: z.string(),
});
export const SessionList = z.object({ sessions: z.array(Session) });
export const SessionDetail = z.object({ session: Session, turns: z.array(SessionTurn) });
export const CreateSessionBody = z.object({
  id: z.string().regex(/^[\p{L}\p{N}][\p{L}\p{N}._-]{0,63}$/u).optional().meta({ description: 'Default: a random id' }),
  title: z.string().max(200).optional(),
  collection: CollectionName.optional().meta({ description: 'The collection its questions search (required for a key limited to some collections)' }),
  model: z.string().max(500).optional(),
});
export const SessionResponse = z.object({ session: Session });
export const SessionMessageBody = z.object({
  question: z.string().trim().min(1).max(4000),
  mode: SEARCH_MODE.default('hybrid'),
  k: z.number().int().min(1).max(50).default(8),
});
export const SessionMessageResponse = z.object({ answer: Answer, standalone: z.string(), condensed: z.string() });

// ---- traces (issue 7) ----

export const TracesQuery = z.object({
  collection: CollectionName.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
export const TraceList = z.object({ traces: z.array(z.unknown()), note: z.string() });

// ---- operations ----

export const Health = z.object({ status: z.literal('ok') });
export const Readiness = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), message: z.string().optional() })),
});
