import type { SearchHit } from '../../spec/store.js';

export interface RerankOptions {
  query: string;
  /** Candidates, best first by the retrieval score. */
  hits: SearchHit[];
  /** Hits to hand back (default: all of them). */
  k?: number;
  signal?: AbortSignal;
  /** Told why a reranker stepped aside or did less than asked (e.g. the model does not know the language). */
  onNote?: (note: string) => void;
}

/**
 * A step that reorders retrieved hits. Hits keep every field they came with; each gains `scores.rerank`,
 * and `score` becomes the reranked score (higher is better, consistent with the order returned).
 *
 * The shape is meant to fit every kind of reranker: one that scores each hit on its own (MMR's marginal
 * relevance, embedding similarity, a cross-encoder, a pointwise LLM judging "relevant 0–10?") hands its
 * scores to `applyRerankScores`; one that orders the whole list at once (a listwise LLM returning a
 * permutation) hands its order to `applyRerankOrder`. Both may look at only the first n hits and leave the
 * rest after them (`applyRerankOrder` keeps unranked hits in their retrieval order).
 */
export interface Reranker {
  readonly id: string;
  rerank(options: RerankOptions): Promise<SearchHit[]>;
}

/**
 * Pointwise: sorts hits by a new score each (stable: ties keep the retrieval order) and records it.
 * Hits without a score (`undefined`) are kept after the scored ones, in their retrieval order.
 */
export function applyRerankScores(o: { hits: SearchHit[]; scores: Array<number | undefined>; k?: number }): SearchHit[] {
  const scored = o.hits.map((hit, i) => ({ hit, i, score: o.scores[i] }));
  scored.sort((a, b) => {
    if (a.score === undefined || b.score === undefined) return a.score === undefined ? (b.score === undefined ? a.i - b.i : 1) : -1;
    return b.score - a.score || a.i - b.i;
  });
  const kept = scored.slice(0, o.k ?? scored.length);
  // Unscored hits ranked after the scored ones get a score just below the lowest, so order and score agree.
  let floor = Math.min(...kept.flatMap((s) => (s.score === undefined ? [] : [s.score])));
  if (!Number.isFinite(floor)) floor = 0;
  return kept.map((s, rank) => {
    const score = s.score ?? floor - (rank + 1) * 1e-6;
    return { ...s.hit, score, scores: { ...s.hit.scores, rerank: score } };
  });
}

/**
 * Listwise: `order` lists indexes into `hits`, best first (duplicates and out-of-range indexes are ignored,
 * as a model's permutation may contain them). Hits the order leaves out follow in retrieval order. The
 * rerank score is 1 for the first hit and falls by 1/n per rank, so it reads like a relevance in 0–1.
 */
export function applyRerankOrder(o: { hits: SearchHit[]; order: number[]; k?: number }): SearchHit[] {
  const seen = new Set<number>();
  const indexes: number[] = [];
  for (const i of [...o.order, ...o.hits.keys()]) {
    if (Number.isInteger(i) && i >= 0 && i < o.hits.length && !seen.has(i)) {
      seen.add(i);
      indexes.push(i);
    }
  }
  const n = o.hits.length;
  return indexes.slice(0, o.k ?? n).map((i, rank) => {
    const hit = o.hits[i]!;
    const score = 1 - rank / n;
    return { ...hit, score, scores: { ...hit.scores, rerank: score } };
  });
}
