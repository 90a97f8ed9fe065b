import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../../spec/store.js';
import { keywordSearch } from '../keyword-search.js';
import { embedAll, fakeEmbedder, putText, tempStore } from '../test-support/retrieval-fixtures.js';
import { createEmbeddingReranker } from './embedding-rerank.js';
import { asAsyncStore } from '../../store/contract/async-store.js';

function setup() {
  const store = tempStore();
  // Keyword search prefers /a (the query word three times); by meaning /b is the closer one.
  putText(store, { source: '/a.txt', text: 'Turbine turbine turbine: a list of spare parts.', chunkSize: 100 });
  putText(store, { source: '/b.txt', text: 'Turbine blade erosion from rain and sand at the leading edge.', chunkSize: 100 });
  putText(store, { source: '/c.txt', text: 'Turbine tower bolts and their torque.', chunkSize: 100 });
  return store;
}

const QUERY = 'turbine blade erosion rain sand';

describe('embedding reranker', () => {
  it('blends query–chunk similarity into the order; weight 0 keeps it', async () => {
    const store = setup();
    const embedder = fakeEmbedder();
    await embedAll(store, embedder);
    const hits = await keywordSearch({ store: asAsyncStore(store), query: 'turbine', k: 3 });
    expect(hits[0]!.source).toBe('/a.txt');
    const out = await createEmbeddingReranker({ store: asAsyncStore(store), embedder, weight: 0.7 }).rerank({ query: QUERY, hits });
    expect(out[0]!.source).toBe('/b.txt');
    expect(out[0]).toMatchObject({ text: hits.find((h) => h.source === '/b.txt')!.text, scores: { keyword: expect.any(Number), rerank: out[0]!.score } });
    const same = await createEmbeddingReranker({ store: asAsyncStore(store), embedder, weight: 0 }).rerank({ query: QUERY, hits, k: 2 });
    expect(same.map((h) => h.chunkId)).toEqual(hits.slice(0, 2).map((h) => h.chunkId));
  });

  it('uses stored vectors, embeds only what has none', async () => {
    const store = setup();
    const embedder = fakeEmbedder();
    const hits = await keywordSearch({ store: asAsyncStore(store), query: 'turbine', k: 3 });
    const out = await createEmbeddingReranker({ store: asAsyncStore(store), embedder, weight: 0.7 }).rerank({ query: QUERY, hits });
    expect(out[0]!.source).toBe('/b.txt');
    expect(embedder.calls.map((c) => c.length)).toEqual([1, 3]); // the query, then the three passages at once
    await embedAll(store, embedder);
    embedder.calls.length = 0;
    await createEmbeddingReranker({ store: asAsyncStore(store), embedder }).rerank({ query: QUERY, hits });
    expect(embedder.calls.map((c) => c.length)).toEqual([1]);
  });

  it('steps aside, with a note, for a query in a language the embedder does not represent', async () => {
    const store = tempStore();
    putText(store, { source: '/zh.txt', text: '齿轮油每十八个月更换一次。', chunkSize: 100 });
    const hits = await keywordSearch({ store: asAsyncStore(store), query: '齿轮油', k: 3 });
    const embedder = fakeEmbedder({ languages: ['en'] });
    const notes: string[] = [];
    const out = await createEmbeddingReranker({ store: asAsyncStore(store), embedder }).rerank({ query: '齿轮油', hits, onNote: (n) => notes.push(n) });
    expect(out).toEqual(hits);
    expect(notes.join()).toMatch(/does not represent the query's language/);
    expect(embedder.calls).toEqual([]);
  });

  it('a passage the embedder cannot represent is never compared: it scores like the least similar one', async () => {
    const embedder = fakeEmbedder({ languages: ['en'] });
    const hit = (chunkId: number, text: string, score: number): SearchHit => ({ chunkId, documentId: chunkId, collection: 'c', source: `/${chunkId}`, title: null, mimeType: 'text/plain', ordinal: 0, text, start: 0, end: text.length, page: null, headingPath: [], metadata: {}, score, scores: {} });
    const hits = [hit(1, '叶片 erosion 侵蚀 雨水 沙子 叶片前缘', 10), hit(2, 'blade erosion from rain', 9), hit(3, 'tower bolts', 8)];
    const out = await createEmbeddingReranker({ embedder, weight: 0.5 }).rerank({ query: 'blade erosion rain', hits });
    expect(out[0]!.chunkId).toBe(2);
    expect(embedder.calls[1]).toEqual(['blade erosion from rain', 'tower bolts']);
  });
});
