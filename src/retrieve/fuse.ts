import type { SearchHit } from '../spec/store.js';

export interface FusionOptions {
  /** `score`: weighted sum of normalised scores (default); `rrf`: weighted reciprocal-rank fusion. */
  method?: 'score' | 'rrf';
  /** Weight of the vector side, 0–1 (default 0.1: measured on Cranfield, the bundled English model adds little to BM25 + RM3 and more weight hurts; docs/benchmarks.md). */
  vectorWeight?: number;
  /** RRF's rank constant (default 60). */
  rrfK?: number;
  /** Candidates taken from each side (default 100). */
  candidates?: number;
}

export const DEFAULT_VECTOR_WEIGHT = 0.1;

/**
 * Merges a keyword and a vector ranking of the same chunks. Score fusion divides each side's scores by
 * its best score (BM25 and cosine live on different scales; cosine is first shifted by the lowest
 * candidate's, since unrelated texts still score ~0.1–0.2 with USE), then adds them with weights. A chunk
 * missing from one side gets 0 there. Every hit keeps both sides' raw scores.
 */
export function fuseRankings(o: { keyword: SearchHit[]; vector: SearchHit[]; k: number; options?: FusionOptions }): SearchHit[] {
  const weight = Math.min(1, Math.max(0, o.options?.vectorWeight ?? DEFAULT_VECTOR_WEIGHT));
  const method = o.options?.method ?? 'score';
  const rrfK = o.options?.rrfK ?? 60;
  const byId = new Map<number, { hit: SearchHit; keyword?: number; vector?: number; fused: number }>();
  const add = (hits: SearchHit[], side: 'keyword' | 'vector', sideWeight: number) => {
    const scores = hits.map((h) => h.score);
    const max = Math.max(...scores);
    const min = side === 'vector' ? Math.min(...scores) : 0;
    hits.forEach((hit, rank) => {
      const normalised = method === 'rrf' ? 1 / (rrfK + rank + 1) : max > min ? (hit.score - min) / (max - min) : 1;
      const entry = byId.get(hit.chunkId) ?? { hit, fused: 0 };
      entry[side] = hit.score;
      entry.fused += sideWeight * normalised;
      byId.set(hit.chunkId, entry);
    });
  };
  add(o.keyword, 'keyword', 1 - weight);
  add(o.vector, 'vector', weight);
  return [...byId.values()]
    .sort((a, b) => b.fused - a.fused || a.hit.chunkId - b.hit.chunkId)
    .slice(0, o.k)
    .map((e) => ({
      ...e.hit,
      score: e.fused,
      scores: { ...(e.keyword !== undefined ? { keyword: e.keyword } : {}), ...(e.vector !== undefined ? { vector: e.vector } : {}), fused: e.fused },
    }));
}
