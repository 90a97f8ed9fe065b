import type { SearchHit } from '../../spec/store.js';

/** RRF's rank constant, as in `FusionOptions.rrfK` (retrieve/fuse.ts) and Cormack et al. (2009). */
export const DEFAULT_RRF_K = 60;

/** One ranking to fuse: the hits of one query (or one retrieval side), best first. */
export interface WeightedRanking {
  hits: SearchHit[];
  /** How much this ranking counts (default 1); 0 leaves it out. */
  weight?: number;
  /**
   * Score fusion: how its scores are brought to 0–1. `max` (default) divides by the best score, right for
   * BM25 and fused scores, which start at 0; `min-max` also subtracts the weakest candidate's, right for
   * cosine similarities, where unrelated texts still score 0.1–0.3 (the same choice as retrieve/fuse.ts).
   */
  scale?: 'max' | 'min-max';
}

/**
 * `score` (default): weighted sum of each ranking's normalised scores. `rrf`: weighted reciprocal-rank fusion,
 * Σ weight / (rrfK + rank). Measured on Cranfield and CMRC with scripted rephrasings and passages
 * (docs/benchmarks.md): score fusion was better in every case, most where a variant is off-topic — RRF at
 * k 60 is flat (rank 30 still earns two thirds of rank 1), so the long tails of unrelated variants outvote
 * the question's clear winner; normalised scores keep how far ahead that winner is.
 */
export type QueryFusionMethod = 'score' | 'rrf';

export interface QueryFusionOptions {
  rankings: WeightedRanking[];
  method?: QueryFusionMethod;
  /** Hits handed back (default: every chunk any ranking holds). */
  k?: number;
  /** RRF's rank constant (default 60): larger flattens the difference between ranks. */
  rrfK?: number;
}

/**
 * Fuses the rankings of several queries (the question, its rephrasings, a hypothetical answer) into one
 * (RAG-Fusion). `retrieve/fuse.ts` stays the fusion of one query's two sides (keyword and vector); this is
 * the fusion of several queries on top of it, with a weight per query.
 *
 * A chunk in several rankings keeps the hit from the ranking where it ranked best (its `scores` then say
 * why it was found there); `score` and `scores.fused` become the fused score. Ties go to the chunk with the
 * better best rank, then the earlier ranking, so the first ranking (the original question) decides close calls.
 */
export function fuseQueryRankings(options: QueryFusionOptions): SearchHit[] {
  const method = options.method ?? 'score';
  const rrfK = options.rrfK ?? DEFAULT_RRF_K;
  const byChunk = new Map<number, { hit: SearchHit; fused: number; bestRank: number; firstRanking: number }>();
  options.rankings.forEach((ranking, r) => {
    const weight = ranking.weight ?? 1;
    if (!(weight > 0) || ranking.hits.length === 0) return;
    const scores = ranking.hits.map((h) => h.score);
    const max = Math.max(...scores);
    // Dividing by the best score needs it positive; otherwise (and for cosines) the weakest is the zero.
    const min = ranking.scale === 'min-max' || max <= 0 ? Math.min(...scores) : 0;
    ranking.hits.forEach((hit, rank) => {
      const share = weight * (method === 'rrf' ? 1 / (rrfK + rank + 1) : max > min ? (hit.score - min) / (max - min) : 1);
      const entry = byChunk.get(hit.chunkId);
      if (!entry) {
        byChunk.set(hit.chunkId, { hit, fused: share, bestRank: rank, firstRanking: r });
        return;
      }
      entry.fused += share;
      if (rank < entry.bestRank) {
        entry.bestRank = rank;
        entry.hit = hit;
      }
    });
  });
  return [...byChunk.values()]
    .sort((a, b) => b.fused - a.fused || a.bestRank - b.bestRank || a.firstRanking - b.firstRanking || a.hit.chunkId - b.hit.chunkId)
    .slice(0, options.k ?? byChunk.size)
    .map((e) => ({ ...e.hit, score: e.fused, scores: { ...e.hit.scores, fused: e.fused } }));
}

/** Weighted reciprocal-rank fusion: `fuseQueryRankings` with `method: 'rrf'`. */
export function reciprocalRankFusion(options: Omit<QueryFusionOptions, 'method'>): SearchHit[] {
  return fuseQueryRankings({ ...options, method: 'rrf' });
}
