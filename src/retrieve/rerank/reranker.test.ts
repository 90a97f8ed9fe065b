import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../spec/store.js';
import { applyRerankOrder, applyRerankScores } from './reranker.js';

function hit(chunkId: number, score: number): SearchHit {
  return { chunkId, documentId: 1, collection: 'c', source: '/a', title: null, mimeType: 'text/plain', ordinal: chunkId, text: `t${chunkId}`, start: 0, end: 2, page: null, headingPath: [], metadata: {}, score, scores: { keyword: score } };
}

describe('reranker helpers (the shapes pointwise and listwise rerankers use)', () => {
  const hits = [hit(1, 3), hit(2, 2), hit(3, 1), hit(4, 0.5)];

  it('pointwise: sorts by the new scores, ties and unscored hits keep retrieval order, records scores.rerank', () => {
    const out = applyRerankScores({ hits, scores: [0.2, 0.9, undefined, 0.2] });
    expect(out.map((h) => h.chunkId)).toEqual([2, 1, 4, 3]);
    expect(out[0]!.scores).toEqual({ keyword: 2, rerank: 0.9 });
    expect(out[0]!.score).toBe(0.9);
    expect(out[3]!.score).toBeLessThan(out[2]!.score);
    expect(applyRerankScores({ hits, scores: [1, 2, 3, 4], k: 2 }).map((h) => h.chunkId)).toEqual([4, 3]);
  });

  it('listwise: a permutation, tolerating what a model may write (repeats, out of range, missing)', () => {
    const out = applyRerankOrder({ hits, order: [2, 2, 9, -1, 0] });
    expect(out.map((h) => h.chunkId)).toEqual([3, 1, 2, 4]);
    expect(out.map((h) => h.scores.rerank)).toEqual([1, 0.75, 0.5, 0.25]);
    expect(out[0]!.text).toBe('t3');
    expect(applyRerankOrder({ hits, order: [3], k: 1 }).map((h) => h.chunkId)).toEqual([4]);
  });
});
