import { LoreError } from '../spec/errors.js';
import type { EmbeddingModel } from '../spec/models.js';
import type { Bm25Params, SearchFilter, SearchHit, Store } from '../spec/store.js';
import { supportsText } from '../text/language.js';
import { GEN_AI, LORE } from '../trace/attributes.js';
import { recordContent } from '../trace/record-content.js';
import { withSpan } from '../trace/with-span.js';
import { fuseRankings, type FusionOptions } from './fuse.js';
import { keywordSearch, type FeedbackOptions } from './keyword-search.js';

export type SearchMode = 'keyword' | 'vector' | 'hybrid';
export const SEARCH_MODES: readonly SearchMode[] = ['keyword', 'vector', 'hybrid'];

export interface SearchOptions {
  store: Store;
  query: string;
  k?: number;
  /** Default `hybrid`. */
  mode?: SearchMode;
  filter?: SearchFilter;
  bm25?: Bm25Params;
  /**
   * Pseudo-relevance feedback on the keyword side. Default: on in hybrid mode (it is what makes the keyword
   * side strong enough to lead the fusion), off in keyword mode (where every result should contain a
   * query word).
   */
  feedback?: boolean | FeedbackOptions;
  /** Needed for vector mode; in hybrid mode without one, keyword search answers alone. */
  embedder?: EmbeddingModel;
  fusion?: FusionOptions;
  signal?: AbortSignal;
}

export interface SearchResult {
  hits: SearchHit[];
  mode: SearchMode;
  /** Why a side did not take part, e.g. the embedder does not know the query's language. */
  notes: string[];
}

/** Candidates taken from each side before fusion. */
const CANDIDATES = 100;

/** The one retrieval entry point of the CLI, the server and the library. */
export async function search(options: SearchOptions): Promise<SearchHit[]> {
  return (await searchWithNotes(options)).hits;
}

export function searchWithNotes(options: SearchOptions): Promise<SearchResult> {
  const attributes = { [LORE.mode]: options.mode ?? 'hybrid', [LORE.k]: options.k ?? 10, ...(options.filter?.collection ? { [LORE.collection]: options.filter.collection } : {}) };
  return withSpan('retrieve.search', attributes, async (span) => {
    recordContent(span, GEN_AI.retrievalQueryText, options.query);
    const result = await searchSides(options);
    span.setAttribute(LORE.hits, result.hits.length);
    if (result.notes.length) span.setAttribute(LORE.notes, result.notes);
    recordContent(span, GEN_AI.retrievalDocuments, () => result.hits.map((h) => ({ id: h.chunkId, source: h.source, score: h.score, content: h.text })));
    return result;
  });
}

async function searchSides(options: SearchOptions): Promise<SearchResult> {
  const mode = options.mode ?? 'hybrid';
  const k = options.k ?? 10;
  const notes: string[] = [];
  if (mode === 'keyword') {
    return { hits: await keywordSide({ ...options, k, feedback: options.feedback ?? false }), mode, notes };
  }
  const embedder = options.embedder;
  if (mode === 'vector') {
    if (!embedder) throw new LoreError({ code: 'INVALID_ARGUMENT', message: 'Vector search needs an embedder', hint: 'pass --embedder local, or use --mode keyword' });
    return { hits: await vectorSide({ ...options, embedder, k }), mode, notes };
  }

  const depth = Math.max(k, options.fusion?.candidates ?? CANDIDATES);
  const keyword = await keywordSide({ ...options, k: depth, feedback: options.feedback ?? true });
  let vector: SearchHit[] = [];
  if (!embedder) {
    notes.push('no embedder: keyword search only');
  } else if (!supportsText(embedder.languages, options.query)) {
    // An English-only model maps Chinese text to near-noise; fusing it in only hurts (measured).
    notes.push(`${embedder.id} does not represent the query's language: keyword search only`);
  } else {
    vector = await vectorSide({ ...options, embedder, k: depth });
    if (vector.length === 0) notes.push(`no ${embedder.id} vectors in the searched collections: keyword search only`);
  }
  if (vector.length === 0) return { hits: keyword.slice(0, k).map((h) => ({ ...h, scores: { ...h.scores, fused: h.score } })), mode, notes };
  const fused = withSpan('retrieve.fuse', { 'lore.keyword_hits': keyword.length, 'lore.vector_hits': vector.length }, () => fuseRankings({ keyword, vector, k, options: options.fusion }));
  return { hits: fused, mode, notes };
}

function keywordSide(o: SearchOptions & { k: number; feedback: boolean | FeedbackOptions }): Promise<SearchHit[]> {
  return withSpan('retrieve.keyword', { [LORE.k]: o.k, 'lore.feedback': o.feedback !== false }, async (span) => {
    const hits = await keywordSearch(o);
    span.setAttribute(LORE.hits, hits.length);
    return hits;
  });
}

function vectorSide(o: SearchOptions & { embedder: EmbeddingModel; k: number }): Promise<SearchHit[]> {
  return withSpan('retrieve.vector', { [LORE.k]: o.k, [GEN_AI.requestModel]: o.embedder.id }, async (span) => {
    const [vector] = await o.embedder.embed([o.query], { signal: o.signal });
    if (!vector) return [];
    const hits = await o.store.vectorSearch({ vector, embedder: o.embedder.id, k: o.k, filter: o.filter });
    span.setAttribute(LORE.hits, hits.length);
    return hits;
  });
}
