import { describe, expect, it } from 'vitest';
import { keywordSearch } from '../keyword-search.js';
import { embedAll, fakeEmbedder, putText, tempStore } from '../test-support/retrieval-fixtures.js';
import { createMmrReranker, jaccard, maximalMarginalRelevance, termOverlap } from './mmr.js';
import { asAsyncStore } from '../../store/contract/async-store.js';

const COPY = 'Replace the gearbox oil every eighteen months and check the gearbox oil filter.';

function nearDuplicates() {
  const store = tempStore();
  // The same passage three times (copied between manuals, one word changed), and two different ones.
  putText(store, { source: '/a.txt', text: COPY, chunkSize: 100 });
  putText(store, { source: '/b.txt', text: COPY.replace('every', 'after'), chunkSize: 100 });
  putText(store, { source: '/c.txt', text: COPY.replace('check', 'inspect'), chunkSize: 100 });
  putText(store, { source: '/d.txt', text: 'Gearbox bearings wear; the oil temperature tells you early.', chunkSize: 100 });
  putText(store, { source: '/e.txt', text: 'Blade erosion from rain and sand reduces power output.', chunkSize: 100 });
  return store;
}

describe('MMR reranking', () => {
  it('test data: keyword search ranks the three copies first', async () => {
    const store = nearDuplicates();
    const hits = await keywordSearch({ store: asAsyncStore(store), query: 'gearbox oil', k: 5 });
    expect(hits.slice(0, 3).map((h) => h.source).sort()).toEqual(['/a.txt', '/b.txt', '/c.txt']);
    expect(hits[3]!.source).toBe('/d.txt');
  });

  it('by term overlap (no embedder): a near-duplicate waits behind something new', async () => {
    const store = nearDuplicates();
    const hits = await keywordSearch({ store: asAsyncStore(store), query: 'gearbox oil', k: 5 });
    const out = await createMmrReranker({ store: asAsyncStore(store), lambda: 0.5 }).rerank({ query: 'gearbox oil', hits });
    expect(out[0]!.chunkId).toBe(hits[0]!.chunkId);
    expect(out[1]!.source).toBe('/d.txt');
    expect(out).toHaveLength(hits.length);
    // Hits keep their fields; the rerank score is recorded and `score` agrees with the order.
    expect(out[0]).toMatchObject({ text: hits[0]!.text, source: hits[0]!.source, scores: { keyword: hits[0]!.scores.keyword } });
    for (const h of out) expect(h.scores.rerank).toBeTypeOf('number');
    for (let i = 1; i < out.length; i++) expect(out[i]!.score).toBeLessThanOrEqual(out[i - 1]!.score);
  });

  it('λ = 1 keeps the retrieval order; k cuts the list', async () => {
    const store = nearDuplicates();
    const hits = await keywordSearch({ store: asAsyncStore(store), query: 'gearbox oil', k: 5 });
    const out = await createMmrReranker({ store: asAsyncStore(store), lambda: 1 }).rerank({ query: 'gearbox oil', hits, k: 3 });
    expect(out.map((h) => h.chunkId)).toEqual(hits.slice(0, 3).map((h) => h.chunkId));
  });

  it('by stored vectors when every hit has one', async () => {
    const store = nearDuplicates();
    const embedder = fakeEmbedder();
    await embedAll(store, embedder);
    const hits = await keywordSearch({ store: asAsyncStore(store), query: 'gearbox oil', k: 5 });
    const notes: string[] = [];
    const out = await createMmrReranker({ store: asAsyncStore(store), embedder, lambda: 0.5, similarity: 'vectors' }).rerank({ query: 'gearbox oil', hits, onNote: (n) => notes.push(n) });
    expect(notes).toEqual([]);
    expect(out[1]!.source).toBe('/d.txt');
    expect(embedder.calls).toHaveLength(1); // only embedAll: MMR reads stored vectors
  });

  it('Chinese near-duplicates, by term overlap', async () => {
    const store = tempStore();
    const copy = '齿轮油每十八个月更换一次，并检查滤网里是否有金属颗粒。';
    putText(store, { source: '/1.txt', text: copy, chunkSize: 100 });
    putText(store, { source: '/2.txt', text: copy.replace('检查', '查看'), chunkSize: 100 });
    putText(store, { source: '/3.txt', text: '齿轮箱轴承磨损时，齿轮油温度会升高。', chunkSize: 100 });
    const hits = await keywordSearch({ store: asAsyncStore(store), query: '齿轮油 更换 滤网', k: 3 });
    expect(hits.slice(0, 2).map((h) => h.source).sort()).toEqual(['/1.txt', '/2.txt']);
    const out = await createMmrReranker({ store: asAsyncStore(store), embedder: fakeEmbedder(), lambda: 0.5 }).rerank({ query: '齿轮油 更换 滤网', hits });
    expect(out.map((h) => h.source)).toEqual([hits[0]!.source, '/3.txt', hits[1]!.source]);
  });

  it('the selection: marginal relevance against the picked set', async () => {
    const sim = [
      [1, 0.9, 0],
      [0.9, 1, 0],
      [0, 0, 1],
    ];
    const similarity = (i: number, j: number) => sim[i]![j]!;
    expect(maximalMarginalRelevance({ relevance: [1, 0.95, 0.5], similarity, lambda: 1, k: 3 }).map((p) => p.index)).toEqual([0, 1, 2]);
    expect(maximalMarginalRelevance({ relevance: [1, 0.95, 0.5], similarity, lambda: 0.5, k: 3 }).map((p) => p.index)).toEqual([0, 2, 1]);
    expect(jaccard(new Set(['a', 'b']), new Set(['b', 'c']))).toBeCloseTo(1 / 3);
    expect(jaccard(new Set(), new Set())).toBe(0);
  });

  it('term overlap by marked ids agrees with set Jaccard, in any order of calls', async () => {
    const lists = [['a', 'b', 'b', 'c'], ['b', 'c', 'd'], [], ['a', 'e'], ['c']];
    const sim = termOverlap(lists);
    for (const [i, j] of [[0, 1], [0, 3], [1, 0], [3, 4], [0, 2], [4, 1], [1, 1]] as const) {
      expect(sim(i, j), `${i},${j}`).toBeCloseTo(jaccard(new Set(lists[i]), new Set(lists[j])));
    }
  });
});
