import type { Bm25Params, SearchFilter, SearchHit, Store } from '../spec/store.js';
import { analyze } from '../text/analyze.js';

/** Pseudo-relevance feedback (RM3): expand the query with the terms of its own best results. */
export interface FeedbackOptions {
  /** Top results the expansion terms come from (default 10). */
  docs?: number;
  /** Expansion terms added (default 20). */
  terms?: number;
  /** Share of the original query in the expanded one, 0–1 (default 0.5). */
  originalWeight?: number;
}

export interface KeywordSearchOptions {
  store: Store;
  query: string;
  k?: number;
  filter?: SearchFilter;
  bm25?: Bm25Params;
  /**
   * Query expansion by pseudo-relevance feedback: a second search with the original terms plus the
   * terms that characterise the first search's top results. Finds passages that use other words for the
   * same thing (Cranfield nDCG@10 0.378 → 0.42, docs/benchmarks.md), at about twice the latency; results
   * may then contain none of the query's words, so it is off by default.
   */
  feedback?: boolean | FeedbackOptions;
}

/** BM25 keyword search: the query goes through the same analyser as the indexed chunks. */
export async function keywordSearch(options: KeywordSearchOptions): Promise<SearchHit[]> {
  const k = options.k ?? 10;
  const terms = analyze(options.query);
  const base = { filter: options.filter, bm25: options.bm25 };
  if (!options.feedback) return options.store.keywordSearch({ terms, k, ...base });
  const feedback = options.feedback === true ? {} : options.feedback;
  const feedbackDocs = feedback.docs ?? 10;
  // Only the top feedbackDocs feed the expansion: asking for k here (100 in hybrid search) scored the same but
  // read and hydrated ten times the chunks. The first search's own top k is needed only when no expansion can
  // be built (its top chunks hold no terms), and then it is asked for.
  const first = await options.store.keywordSearch({ terms, k: feedbackDocs, ...base });
  const weights = await expansionWeights({ store: options.store, terms, top: first, feedback });
  if (!weights) return k <= feedbackDocs || first.length < feedbackDocs ? first.slice(0, k) : options.store.keywordSearch({ terms, k, ...base });
  return options.store.keywordSearch({ terms: Object.keys(weights), weights, k, ...base });
}

/**
 * RM3 weights: each feedback passage contributes its term distribution (tf / length), weighted by its
 * relevance (exp of the score difference to the best one); the top terms are mixed with the original
 * query, scaled so the original terms keep a comparable total weight.
 */
async function expansionWeights(o: { store: Store; terms: string[]; top: SearchHit[]; feedback: FeedbackOptions }): Promise<Record<string, number> | undefined> {
  if (o.top.length === 0 || o.terms.length === 0) return undefined;
  const chunkTerms = await o.store.keywordTerms(o.top.map((h) => h.chunkId));
  const best = o.top[0]!.score;
  const model = new Map<string, number>();
  for (const hit of o.top) {
    const terms = chunkTerms.get(hit.chunkId) ?? [];
    if (terms.length === 0) continue;
    const relevance = Math.exp(hit.score - best);
    for (const term of terms) model.set(term, (model.get(term) ?? 0) + relevance / terms.length);
  }
  const expansion = [...model].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, o.feedback.terms ?? 20);
  const total = expansion.reduce((sum, [, w]) => sum + w, 0);
  if (total === 0) return undefined;
  const alpha = Math.min(1, Math.max(0, o.feedback.originalWeight ?? 0.5));
  const original = [...new Set(o.terms)];
  const weights: Record<string, number> = {};
  for (const term of original) weights[term] = alpha;
  for (const [term, w] of expansion) weights[term] = (weights[term] ?? 0) + ((1 - alpha) * w * original.length) / total;
  return weights;
}
