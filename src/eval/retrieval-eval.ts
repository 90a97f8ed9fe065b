import { join } from 'node:path';
import type { EmbeddingModel } from '../spec/models.js';
import { LoreError } from '../spec/errors.js';
import type { Store } from '../spec/store.js';
import { ingest, type IngestReport } from '../ingest/ingest.js';
import type { EmbedProgress } from '../ingest/embed-chunks.js';
import { searchWithNotes, type SearchMode } from '../retrieve/search.js';
import { retrieve, type PipelineSteps } from '../retrieve/pipeline.js';
import { formatPipeline } from '../retrieve/pipeline-spec.js';
import type { FusionOptions } from '../retrieve/fuse.js';
import type { FeedbackOptions } from '../retrieve/keyword-search.js';
import type { Bm25Params } from '../spec/store.js';
import { readBeirDataset } from './beir.js';
import { evaluateRun, percentile, type QueryEvaluation, type ScoredDoc } from './metrics.js';

/** Chunks a reranker reorders per query in an evaluation: enough for nDCG@10 and Recall@100 to move. */
const RERANK_DEPTH = 100;

export const RETRIEVAL_METRICS = ['ndcg@10', 'recall@10', 'recall@100', 'mrr@10', 'map'] as const;

export interface EvaluateRetrievalOptions {
  store: Store;
  /** A BEIR-layout folder: corpus.jsonl, queries.jsonl, qrels/test.tsv. */
  dir: string;
  collection: string;
  mode?: SearchMode;
  /** Documents ranked per query (default 100, the deepest cut-off measured). */
  k?: number;
  embedder?: EmbeddingModel;
  bm25?: Bm25Params;
  feedback?: boolean | FeedbackOptions;
  fusion?: FusionOptions;
  /**
   * Steps after search (rerank, context, compress), run through `retrieve()`. The reranker reorders the
   * top 100 chunks (unless `candidates` says otherwise); the rest of the ranking follows in retrieval order.
   */
  pipeline?: PipelineSteps;
  onIngestProgress?: (done: number, total: number) => void;
  onEmbedProgress?: (progress: EmbedProgress) => void;
  onQueryProgress?: (done: number, total: number) => void;
  signal?: AbortSignal;
}

export interface RetrievalEvaluation {
  dataset: string;
  mode: SearchMode;
  /** The steps after search, as `--pipeline` writes them (`none` for plain search). */
  pipeline: string;
  embedder: string | null;
  documents: number;
  queries: number;
  metrics: Record<(typeof RETRIEVAL_METRICS)[number], number>;
  indexMs: number;
  embedMs: number;
  latencyMs: { p50: number; p95: number };
  perQuery: QueryEvaluation[];
  run: Map<string, ScoredDoc[]>;
  ingest: IngestReport;
  notes: string[];
}

/**
 * Ingests a BEIR corpus into a collection (unchanged corpora are skipped by content hash, cached
 * embeddings are reused), runs every judged query, and scores the ranking with trec_eval's definitions.
 * A document ranks by its best chunk. Queries with no results score 0 and stay in every mean.
 */
export async function evaluateRetrieval(o: EvaluateRetrievalOptions): Promise<RetrievalEvaluation> {
  const mode = o.mode ?? 'hybrid';
  const depth = Math.max(o.k ?? 100, 1);
  const data = await readBeirDataset({ dir: o.dir });
  if (mode !== 'keyword' && !o.embedder) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `--mode ${mode} needs an embedder`, hint: 'pass --embedder local, or --mode keyword' });
  }
  const started = performance.now();
  let embedStarted = 0;
  const report = await ingest({
    store: o.store,
    paths: [join(o.dir, 'corpus.jsonl')],
    collection: o.collection,
    loaderOptions: { textFields: ['title', 'text'], idField: '_id' },
    embedder: mode === 'keyword' ? undefined : o.embedder,
    onProgress: (p) => o.onIngestProgress?.(p.filesDone, p.filesTotal),
    onEmbedProgress: (p) => {
      embedStarted ||= performance.now();
      o.onEmbedProgress?.(p);
    },
    signal: o.signal,
  });
  const finished = performance.now();
  if (report.failed > 0) {
    throw new LoreError({ code: 'CORRUPT_FILE', message: `Could not ingest the corpus: ${report.errors.map((e) => e.message).join('; ')}` });
  }
  const embedMs = embedStarted ? finished - embedStarted : 0;

  const run = new Map<string, ScoredDoc[]>();
  const latencies: number[] = [];
  const notes = new Set<string>();
  let done = 0;
  for (const query of data.queries) {
    const t = performance.now();
    const options = {
      store: o.store,
      query: query.text,
      // Chunks, not documents, come back: ask for more so that `depth` distinct documents remain.
      k: depth * 3,
      mode,
      filter: { collection: o.collection },
      embedder: o.embedder,
      bm25: o.bm25,
      feedback: o.feedback,
      fusion: o.fusion,
      signal: o.signal,
    };
    const result = o.pipeline ? await retrieve({ ...options, ...o.pipeline, candidates: o.pipeline.candidates ?? RERANK_DEPTH }) : await searchWithNotes(options);
    latencies.push(performance.now() - t);
    for (const note of result.notes) notes.add(note);
    const seen = new Set<string>();
    const docs: ScoredDoc[] = [];
    for (const hit of result.hits) {
      const id = String(hit.metadata['id'] ?? hit.source);
      if (seen.has(id)) continue;
      seen.add(id);
      docs.push({ docId: id, score: hit.score });
      if (docs.length === depth) break;
    }
    run.set(query.id, docs);
    o.onQueryProgress?.(++done, data.queries.length);
  }
  const evaluation = evaluateRun({ run, qrels: data.qrels, ks: [10, 100], order: 'given' });
  const metrics = Object.fromEntries(RETRIEVAL_METRICS.map((m) => [m, evaluation.mean[m] ?? 0])) as RetrievalEvaluation['metrics'];
  return {
    dataset: data.name,
    mode,
    pipeline: o.pipeline ? formatPipeline(o.pipeline) : 'none',
    embedder: mode === 'keyword' ? null : (o.embedder?.id ?? null),
    documents: data.corpus.length,
    queries: data.queries.length,
    metrics,
    indexMs: Math.round(finished - started - embedMs),
    embedMs: Math.round(embedMs),
    latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95) },
    perQuery: evaluation.perQuery,
    run,
    ingest: report,
    notes: [...notes],
  };
}
