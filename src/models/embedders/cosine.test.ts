import { describe, expect, it } from 'vitest';
import { dot, topKByCosine } from './cosine.js';

function randomUnitVectors(n: number, d: number, seed: number): Float32Array {
  let state = seed;
  const random = (): number => ((state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31) - 0.5;
  const vectors = new Float32Array(n * d);
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let i = 0; i < d; i++) sum += (vectors[r * d + i] = random()) ** 2;
    for (let i = 0; i < d; i++) vectors[r * d + i]! /= Math.sqrt(sum);
  }
  return vectors;
}

/** The obvious version: score every row, sort everything. */
function naiveTopK(query: Float32Array, vectors: Float32Array, ids: number[], k: number): { ids: number[]; scores: number[] } {
  const d = query.length;
  const scored = ids.map((id, row) => ({ id, row, score: dot(query, vectors.subarray(row * d, row * d + d)) }));
  scored.sort((a, b) => b.score - a.score || a.row - b.row);
  const top = scored.slice(0, k);
  return { ids: top.map((s) => s.id), scores: top.map((s) => s.score) };
}

describe('dot', () => {
  it('multiplies and sums, and refuses vectors of different lengths', () => {
    expect(dot(Float32Array.of(1, 2, 3), Float32Array.of(4, 5, 6))).toBe(32);
    expect(() => dot(Float32Array.of(1), Float32Array.of(1, 2))).toThrow(RangeError);
  });
});

describe('topKByCosine', () => {
  const n = 3_000;
  const d = 512;
  const vectors = randomUnitVectors(n, d, 7);
  const ids = Array.from({ length: n }, (_, i) => 10_000 + i * 3);

  it('finds what a full sort finds, best first', () => {
    const queries = randomUnitVectors(5, d, 99);
    for (let q = 0; q < 5; q++) {
      const query = queries.subarray(q * d, q * d + d);
      for (const k of [1, 10, 100]) {
        const fast = topKByCosine({ query, vectors, ids: Int32Array.from(ids), k });
        const slow = naiveTopK(query, vectors, ids, k);
        expect(fast.ids).toEqual(slow.ids);
        fast.scores.forEach((s, i) => expect(s).toBeCloseTo(slow.scores[i]!, 5));
      }
    }
  });

  it('finds a stored vector first with score 1, takes number[] ids, and caps k at n', () => {
    const query = vectors.slice(42 * d, 43 * d);
    const result = topKByCosine({ query, vectors, ids, k: 3 });
    expect(result.ids[0]).toBe(ids[42]);
    expect(result.scores[0]).toBeCloseTo(1, 5);
    expect(topKByCosine({ query, vectors: vectors.subarray(0, 5 * d), ids: ids.slice(0, 5), k: 50 }).ids).toHaveLength(5);
    expect(topKByCosine({ query, vectors, ids, k: 0 })).toEqual({ ids: [], scores: [] });
  });

  it('keeps row order among equal scores, and handles dimensions not divisible by four', () => {
    const tied = new Float32Array([1, 0, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0.6, 0.8, 0]);
    const result = topKByCosine({ query: Float32Array.of(1, 0, 0), vectors: tied, ids: [5, 6, 7, 8, 9], k: 3 });
    expect(result.ids).toEqual([5, 6, 8]);
    expect(result.scores).toEqual([1, 1, 1]);
  });

  it('refuses inconsistent shapes', () => {
    expect(() => topKByCosine({ query: new Float32Array(4), vectors: new Float32Array(10), ids: [1, 2], k: 1 })).toThrow(RangeError);
    expect(() => topKByCosine({ query: new Float32Array(4), vectors: new Float32Array(8), ids: [1], k: 1 })).toThrow(RangeError);
  });
});
