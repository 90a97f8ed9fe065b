import type { EmbeddingModel } from '../../spec/models.js';
import type { SearchHit, Store } from '../../spec/store.js';
import { cosine, hitVectors } from './hit-vectors.js';
import { relevanceScale } from './scale-scores.js';
import type { Reranker } from './reranker.js';

/** Share of relevance against novelty (default 0.7: mostly relevance, near-duplicates pushed down). */
export const DEFAULT_MMR_LAMBDA = 0.7;

export interface MmrRerankerOptions {
  store: Store;
  /** With an embedder, hits compare by their stored vectors when every hit has one. */
  embedder?: EmbeddingModel;
  /** 1 = retrieval order, 0 = only novelty (default 0.7). */
  lambda?: number;
  /**
   * `vectors`: cosine of stored vectors; `terms`: Jaccard overlap of the analysed terms the keyword index
   * holds (works for every language and with no embedder); `auto` (default): vectors when every hit has
   * one, terms otherwise (a Chinese chunk under an English-only model has none).
   */
  similarity?: 'auto' | 'vectors' | 'terms';
}

/**
 * Maximal marginal relevance (Carbonell & Goldstein 1998): picks, one at a time, the hit that maximises
 * λ·relevance − (1−λ)·(its greatest similarity to the hits already picked), so a second copy of a passage
 * (overlapping chunks, the same text in two files) waits behind something new. Relevance is the retrieval
 * score divided by the best candidate's, so λ means the same whatever scored them.
 */
export function createMmrReranker(options: MmrRerankerOptions): Reranker {
  const lambda = Math.min(1, Math.max(0, options.lambda ?? DEFAULT_MMR_LAMBDA));
  return {
    id: `mmr:${lambda}`,
    async rerank({ hits, k, signal, onNote }) {
      if (hits.length === 0) return [];
      const similarity = await similarityOf({ ...options, hits, signal, onNote });
      const picked = maximalMarginalRelevance({ relevance: relevanceScale(hits.map((h) => h.score)), similarity, lambda, k: k ?? hits.length });
      // The marginal score can rise after a pick; `score` is kept non-increasing so it agrees with the order.
      let last = Infinity;
      return picked.map(({ index, score }) => {
        last = Math.min(last, score);
        const hit = hits[index]!;
        return { ...hit, score: last, scores: { ...hit.scores, rerank: score } };
      });
    },
  };
}

/**
 * The MMR selection itself, over indexes: `similarity(i, j)` in 0–1 (symmetric). Keeps each candidate's
 * greatest similarity to the picked set up to date, so k picks from n candidates cost n·k comparisons.
 */
export function maximalMarginalRelevance(o: {
  relevance: number[];
  similarity: (i: number, j: number) => number;
  lambda: number;
  k: number;
}): Array<{ index: number; score: number }> {
  const n = o.relevance.length;
  const maxSim = new Float64Array(n);
  const taken = new Uint8Array(n);
  const out: Array<{ index: number; score: number }> = [];
  for (let round = 0; round < Math.min(o.k, n); round++) {
    let best = -1;
    let bestScore = -Infinity;
    for (let i = 0; i < n; i++) {
      if (taken[i]) continue;
      const score = o.lambda * o.relevance[i]! - (1 - o.lambda) * maxSim[i]!;
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    taken[best] = 1;
    out.push({ index: best, score: bestScore });
    for (let i = 0; i < n; i++) {
      if (!taken[i]) maxSim[i] = Math.max(maxSim[i]!, o.similarity(best, i));
    }
  }
  return out;
}

async function similarityOf(o: MmrRerankerOptions & { hits: SearchHit[]; signal?: AbortSignal; onNote?: (note: string) => void }): Promise<(i: number, j: number) => number> {
  const mode = o.similarity ?? 'auto';
  if (mode !== 'terms' && o.embedder) {
    const vectors = await hitVectors({ store: o.store, embedder: o.embedder, hits: o.hits, embedMissing: false, signal: o.signal });
    if (vectors.every((v) => v)) {
      // USE-like models put unrelated texts at ~0.1–0.2, so negative cosines are clamped, not rewarded.
      return (i, j) => Math.max(0, cosine(vectors[i]!, vectors[j]!));
    }
    if (mode === 'vectors') o.onNote?.(`mmr: not every hit has a ${o.embedder.id} vector: term overlap used instead`);
  } else if (mode === 'vectors') {
    o.onNote?.('mmr: no embedder: term overlap used instead');
  }
  const terms = await o.store.keywordTerms(o.hits.map((h) => h.chunkId));
  return termOverlap(o.hits.map((h) => terms.get(h.chunkId) ?? []));
}

/**
 * Jaccard similarity of the hits' distinct terms, as `similarity(i, j)`. Terms become small integers and
 * the first argument's terms are marked in an array: MMR asks for one picked hit against every candidate in
 * turn, so each comparison is a pass over the candidate's term ids (ordering 93 CMRC chunks of ~128
 * distinct terms: 32 ms with Set lookups, 11 ms this way).
 */
export function termOverlap(termLists: string[][]): (i: number, j: number) => number {
  const ids = new Map<string, number>();
  const sets = termLists.map((list) => Int32Array.from(new Set(list.map((t) => ids.get(t) ?? (ids.set(t, ids.size), ids.size - 1)))));
  const marks = new Uint8Array(ids.size);
  let marked = -1;
  return (i, j) => {
    const a = sets[i]!;
    const b = sets[j]!;
    if (a.length === 0 || b.length === 0) return 0;
    if (marked !== i) {
      if (marked >= 0) for (const t of sets[marked]!) marks[t] = 0;
      for (const t of a) marks[t] = 1;
      marked = i;
    }
    let shared = 0;
    for (const t of b) shared += marks[t]!;
    return shared / (a.length + b.length - shared);
  };
}

/** |A ∩ B| / |A ∪ B| over distinct terms; two empty sets are not alike (0). */
export function jaccard(a: Set<string>, b: Set<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const t of small) if (large.has(t)) shared++;
  return shared / (a.size + b.size - shared);
}
