import type { EmbeddingModel, LanguageModel } from '../spec/models.js';
import { expandedSearch, type QueryTransforms } from './query/expand-query.js';
import type { SearchHit } from '../spec/store.js';
import { compressContext, DEFAULT_COMPRESS_TOKENS } from './compress-context.js';
import { expandContext, type ContextMode } from './expand-context.js';
import { createEmbeddingReranker, DEFAULT_EMBEDDING_RERANK_WEIGHT } from './rerank/embedding-rerank.js';
import { createMmrReranker, DEFAULT_MMR_LAMBDA } from './rerank/mmr.js';
import type { Reranker } from './rerank/reranker.js';
import { searchWithNotes, type SearchMode, type SearchOptions } from './search.js';
import { withSpan } from '../trace/with-span.js';

export type RerankChoice = 'none' | 'mmr' | 'embedding' | Reranker;

/** Context expansion: see `expandContext`. */
export interface ContextStep {
  mode: ContextMode;
  /** Window mode: neighbours on each side (default 1). */
  window?: number;
  /** Window mode: neighbours counted in chunks (default) or sentences. */
  unit?: 'chunk' | 'sentence';
  /** Most tokens of one context (default: 1000 in parent mode, no limit in window mode). */
  maxTokens?: number;
}

/** Contextual compression: see `compressContext`. */
export interface CompressStep {
  /** Tokens of the whole context (default 1000). */
  maxTokens?: number;
  /** Blend in the embedder's sentence similarity (default false: one more embedding call per query). */
  embedding?: boolean;
  embeddingWeight?: number;
  /** Drop sentences below this share of the best one's score (default 0: the budget decides). */
  minScore?: number;
}

/** The steps after search; each is off unless given. */
export interface PipelineSteps {
  /** `mmr` (diversity), `embedding` (query–chunk cosine blended with the retrieval score), or any `Reranker`. */
  rerank?: RerankChoice;
  /** MMR's share of relevance against novelty (default 0.7). */
  mmrLambda?: number;
  /** Embedding rerank: weight of the cosine in the blend (default 0.3). */
  rerankWeight?: number;
  /**
   * Hits the reranker reorders (default max(k, 50)). With fewer candidates than k, the hits after them
   * follow in retrieval order (a deep ranking reranked at the top only, as evaluation does).
   */
  candidates?: number;
  context?: ContextStep;
  compress?: CompressStep;
}

export interface RetrieveOptions extends SearchOptions, PipelineSteps {
  /** Query-side steps before search (multi-query, HyDE), written by this model; see `expandedSearch`. */
  transforms?: QueryTransforms & { model: LanguageModel };
}

export interface RetrieveResult {
  /** Best first. After a context step, each is a `ContextHit` (`isContextHit`), with spans and covered chunks. */
  hits: SearchHit[];
  mode: SearchMode;
  /** Why a side or a step did less than asked (a model that does not know the language, nothing fitting a budget). */
  notes: string[];
  /** What ran, in order, e.g. `hybrid search (50)`, `rerank mmr:0.7`, `context window:1`, `compress 1000 tokens`. */
  steps: string[];
  /** Milliseconds per step, by the names in `steps`' first word. */
  timings: Record<string, number>;
}

const DEFAULT_CANDIDATES = 50;

/**
 * Retrieval as composable steps: search → rerank → expand → compress, each switchable. With no steps
 * it is `searchWithNotes` exactly. The reranker sees `candidates` hits and keeps k; expansion may merge
 * hits of the same document (fewer than k come back); compression keeps the sentences that bear on the
 * query within a budget for the whole context.
 */
export async function retrieve(options: RetrieveOptions): Promise<RetrieveResult> {
  const k = options.k ?? 10;
  const embedder = options.embedder ? rememberingQuery(options.embedder) : undefined;
  const reranker = chooseReranker(options, embedder);
  const candidates = Math.max(1, options.candidates ?? Math.max(k, DEFAULT_CANDIDATES));
  const depth = reranker ? Math.max(k, candidates) : k;
  const notes: string[] = [];
  const steps: string[] = [];
  const timings: Record<string, number> = {};
  const timed = async <T>(name: string, run: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    try {
      return await run();
    } finally {
      timings[name] = (timings[name] ?? 0) + performance.now() - started;
    }
  };

  const transforms = options.transforms;
  const transformed = Boolean(transforms && (transforms.multiQuery || transforms.hyde));
  const found = await timed('search', () =>
    transformed ? expandedSearch({ ...options, ...transforms, embedder, k: depth }) : searchWithNotes({ ...options, embedder, k: depth }),
  );
  notes.push(...found.notes);
  if (transformed) steps.push(`expand ${[transforms?.multiQuery ? `multi-query:${transforms.multiQuery === true ? 'default' : transforms.multiQuery}` : '', transforms?.hyde ? 'hyde' : ''].filter(Boolean).join('+')}`);
  steps.push(`${found.mode} search (${depth})`);
  let hits = found.hits;

  if (reranker) {
    const head = hits.slice(0, candidates);
    const reranked = await timed('rerank', () =>
      withSpan('retrieve.rerank', { 'lore.reranker': reranker.id, 'lore.candidates': head.length }, () =>
        reranker.rerank({ query: options.query, hits: head, k: Math.min(k, head.length), signal: options.signal, onNote: (n) => notes.push(n) }),
      ),
    );
    hits = [...reranked, ...belowReranked(reranked, hits.slice(candidates))].slice(0, k);
    steps.push(`rerank ${reranker.id} (top ${head.length})`);
  }
  if (options.context) {
    const context = options.context;
    hits = await timed('context', () => withSpan('retrieve.context', { 'lore.context_mode': context.mode }, () => expandContext({ store: options.store, hits, ...context })));
    steps.push(`context ${context.mode}${context.mode === 'window' ? `:${context.window ?? 1}${context.unit === 'sentence' ? ' sentences' : ''}` : ''}`);
  }
  if (options.compress) {
    const compress = options.compress;
    const result = await timed('compress', () =>
      compressContext({
        query: options.query,
        hits,
        maxTokens: compress.maxTokens,
        embedder: compress.embedding ? embedder : undefined,
        embeddingWeight: compress.embeddingWeight,
        minScore: compress.minScore,
        signal: options.signal,
      }),
    );
    hits = result.hits;
    notes.push(...result.notes);
    steps.push(`compress ${compress.maxTokens ?? DEFAULT_COMPRESS_TOKENS} tokens (${result.tokensBefore} → ${result.tokens})`);
  }
  return { hits, mode: found.mode, notes: [...new Set(notes)], steps, timings };
}

/** Hits left below the reranked ones keep their order; their scores are moved under the last reranked score. */
function belowReranked(reranked: SearchHit[], rest: SearchHit[]): SearchHit[] {
  if (rest.length === 0 || reranked.length === 0) return rest;
  const floor = Math.min(...reranked.map((h) => h.score));
  return rest.map((h, i) => ({ ...h, score: floor - (i + 1) * 1e-6 }));
}

function chooseReranker(o: RetrieveOptions, embedder: EmbeddingModel | undefined): Reranker | undefined {
  const choice = o.rerank ?? 'none';
  if (choice === 'none') return undefined;
  if (choice === 'mmr') return createMmrReranker({ store: o.store, embedder, lambda: o.mmrLambda ?? DEFAULT_MMR_LAMBDA });
  if (choice === 'embedding') {
    if (!embedder) return noEmbedder;
    return createEmbeddingReranker({ store: o.store, embedder, weight: o.rerankWeight ?? DEFAULT_EMBEDDING_RERANK_WEIGHT });
  }
  return choice;
}

/** Stands in for the embedding reranker when there is no embedder: keeps the order, says why. */
const noEmbedder: Reranker = {
  id: 'embedding (no embedder)',
  rerank: async ({ hits, k, onNote }) => {
    onNote?.('no embedder: embedding rerank skipped');
    return hits.slice(0, k ?? hits.length);
  },
};

/**
 * The search, the reranker and compression each embed the query; with this wrapper it is embedded once per
 * call of `retrieve` (a query costs ~10 ms on the bundled model, as much as the rest of a keyword search).
 */
function rememberingQuery(embedder: EmbeddingModel): EmbeddingModel {
  const remembered = new Map<string, Float32Array>();
  return {
    id: embedder.id,
    dimensions: embedder.dimensions,
    languages: embedder.languages,
    async embed(texts, opts) {
      if (texts.length !== 1) return embedder.embed(texts, opts);
      const hit = remembered.get(texts[0]!);
      if (hit) return [hit];
      const vectors = await embedder.embed(texts, opts);
      if (vectors[0]) remembered.set(texts[0]!, vectors[0]);
      return vectors;
    },
    ...(embedder.close ? { close: () => embedder.close!() } : {}),
  };
}
