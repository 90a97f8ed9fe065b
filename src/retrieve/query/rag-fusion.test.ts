import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../spec/store.js';
import { fuseQueryRankings, reciprocalRankFusion } from './rag-fusion.js';

const hit = (chunkId: number, score = 1): SearchHit => ({
  chunkId,
  documentId: chunkId,
  collection: 'c',
  source: `s${chunkId}`,
  title: null,
  mimeType: 'text/plain',
  ordinal: 0,
  text: `t${chunkId}`,
  start: 0,
  end: 1,
  page: null,
  headingPath: [],
  metadata: {},
  score,
  scores: { keyword: score },
});

describe('reciprocalRankFusion', () => {
  it('sums weight / (k + rank) over the rankings, keeping each side score', () => {
    const fused = reciprocalRankFusion({ rankings: [{ hits: [hit(1), hit(2)] }, { hits: [hit(2), hit(3)] }], rrfK: 60 });
    expect(fused.map((h) => h.chunkId)).toEqual([2, 1, 3]);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(fused[0]!.scores).toMatchObject({ keyword: 1, fused: fused[0]!.score });
  });

  it('weights rankings, leaves out a zero weight, and cuts to k', () => {
    const rankings = [{ hits: [hit(1), hit(2)] }, { hits: [hit(2), hit(1)], weight: 3 }];
    expect(reciprocalRankFusion({ rankings }).map((h) => h.chunkId)).toEqual([2, 1]);
    expect(reciprocalRankFusion({ rankings: [rankings[0]!, { ...rankings[1]!, weight: 0 }] }).map((h) => h.chunkId)).toEqual([1, 2]);
    expect(reciprocalRankFusion({ rankings, k: 1 })).toHaveLength(1);
  });

  it('breaks ties by best rank, then by the earlier ranking, and keeps the best-ranked copy of a hit', () => {
    // 5 and 6 each appear once at rank 0: the first ranking (the original question) wins the tie.
    expect(reciprocalRankFusion({ rankings: [{ hits: [hit(6)] }, { hits: [hit(5)] }] }).map((h) => h.chunkId)).toEqual([6, 5]);
    const fused = reciprocalRankFusion({ rankings: [{ hits: [hit(9), hit(7, 0.5)] }, { hits: [hit(7, 0.9)] }] });
    expect(fused.find((h) => h.chunkId === 7)!.scores.keyword).toBe(0.9);
  });

  it('score fusion: normalised scores keep how far ahead a ranking’s winner is', () => {
    // The question's winner (1) is far ahead of its runner-up; a weak variant puts 2 first and 1 nowhere.
    const question = { hits: [hit(1, 10), hit(2, 2), hit(3, 1)], weight: 2 };
    const variant = { hits: [hit(2, 4), hit(3, 3.9)] };
    expect(fuseQueryRankings({ rankings: [question, variant] }).map((h) => h.chunkId)).toEqual([1, 2, 3]);
    // RRF only sees ranks: 2 and 3, found by both, overtake 1.
    expect(reciprocalRankFusion({ rankings: [{ ...question, weight: 1 }, variant] }).map((h) => h.chunkId)).toEqual([2, 3, 1]);
    const fused = fuseQueryRankings({ rankings: [question, variant] });
    expect(fused[0]!.score).toBeCloseTo(2, 12);
    expect(fused[1]!.score).toBeCloseTo(2 * 0.2 + 1, 12);
  });

  it('score fusion: cosines are scaled min–max, so the weakest candidate adds nothing', () => {
    const vector = { hits: [hit(1, 0.5), hit(2, 0.3)], scale: 'min-max' as const };
    const fused = fuseQueryRankings({ rankings: [vector] });
    expect(fused.map((h) => h.score)).toEqual([1, 0]);
    // Scores that are all zero or negative are scaled min–max too; equal scores all count fully.
    expect(fuseQueryRankings({ rankings: [{ hits: [hit(1, -1), hit(2, -3)] }] }).map((h) => h.score)).toEqual([1, 0]);
    expect(fuseQueryRankings({ rankings: [{ hits: [hit(1, 0), hit(2, 0)] }] }).map((h) => h.score)).toEqual([1, 1]);
  });
});
