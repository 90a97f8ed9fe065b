import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../spec/store.js';
import { fuseRankings } from './fuse.js';

function hit(chunkId: number, score: number): SearchHit {
  return { chunkId, documentId: chunkId, collection: 'c', source: `/${chunkId}`, title: null, mimeType: 'text/plain', ordinal: 0, text: String(chunkId), start: 0, end: 1, page: null, headingPath: [], metadata: {}, score, scores: {} };
}

describe('fuseRankings', () => {
  const keyword = [hit(1, 12), hit(2, 6), hit(3, 3)];
  const vector = [hit(3, 0.7), hit(4, 0.6), hit(1, 0.2)];

  it('adds normalised scores with weights and keeps each side’s raw score', () => {
    const fused = fuseRankings({ keyword, vector, k: 10, options: { vectorWeight: 0.3 } });
    expect(fused.map((h) => h.chunkId)).toEqual([1, 3, 2, 4]);
    expect(fused[0]!.scores).toEqual({ keyword: 12, vector: 0.2, fused: 0.7 });
    expect(fused[3]!.scores.keyword).toBeUndefined();
    expect(fused[3]!.scores.vector).toBe(0.6);
  });

  it('weight 0 is keyword order, weight 1 is vector order', () => {
    expect(fuseRankings({ keyword, vector, k: 3, options: { vectorWeight: 0 } }).map((h) => h.chunkId)).toEqual([1, 2, 3]);
    expect(fuseRankings({ keyword, vector, k: 3, options: { vectorWeight: 1 } }).map((h) => h.chunkId)).toEqual([3, 4, 1]);
  });

  it('supports reciprocal-rank fusion', () => {
    const fused = fuseRankings({ keyword, vector, k: 4, options: { method: 'rrf', vectorWeight: 0.5 } });
    expect(fused.map((h) => h.chunkId).slice(0, 2).sort()).toEqual([1, 3]);
    expect(fused[0]!.scores.fused).toBeCloseTo(0.5 / 61 + 0.5 / 63);
  });
});
