import { describe, expect, it } from 'vitest';
import { isLoreError } from '../spec/errors.js';
import { isContextHit } from './context-hit.js';
import { formatPipeline, parsePipeline } from './pipeline-spec.js';
import { retrieve } from './pipeline.js';
import type { Reranker } from './rerank/reranker.js';
import { searchWithNotes } from './search.js';
import { asAsyncStore } from '../store/contract/async-store.js';
import { embedAll, fakeEmbedder, putText, tempStore } from './test-support/retrieval-fixtures.js';

const COPY = 'Replace the gearbox oil every eighteen months. The old oil goes to the recycling bin. Check the gearbox filter too.';

async function setup() {
  const store = tempStore();
  putText(store, { source: '/a.txt', text: COPY, chunkSize: 100 });
  putText(store, { source: '/b.txt', text: COPY.replace('every', 'after'), chunkSize: 100 });
  putText(store, { source: '/c.txt', text: 'Gearbox bearings wear slowly. The oil temperature warns early. Sensors log it hourly.', chunkSize: 100 });
  putText(store, { source: '/d.txt', text: 'Blade erosion from rain and sand reduces power output.', chunkSize: 100 });
  const embedder = fakeEmbedder();
  await embedAll(store, embedder);
  return { store: asAsyncStore(store), embedder };
}

describe('retrieve (the step pipeline)', () => {
  it('with no steps, is search exactly', async () => {
    const { store, embedder } = await setup();
    const plain = await searchWithNotes({ store, query: 'gearbox oil', k: 3, embedder });
    const piped = await retrieve({ store, query: 'gearbox oil', k: 3, embedder });
    expect(piped.hits).toEqual(plain.hits);
    expect(piped.steps).toEqual(['hybrid search (3)']);
  });

  it('composes rerank → context → compress, each recorded', async () => {
    const { store, embedder } = await setup();
    const r = await retrieve({ store, query: 'how often is the gearbox oil replaced', k: 2, embedder, rerank: 'mmr', mmrLambda: 0.5, context: { mode: 'window' }, compress: { maxTokens: 12 } });
    expect(r.steps.map((s) => s.split(' ')[0])).toEqual(['hybrid', 'rerank', 'context', 'compress']);
    expect(Object.keys(r.timings)).toEqual(['search', 'rerank', 'context', 'compress']);
    expect(r.hits[0]!.source).toBe('/a.txt');
    expect(r.hits.every(isContextHit)).toBe(true);
    expect(r.hits[0]!.text).toBe('Replace the gearbox oil every eighteen months.');
    expect(r.hits[0]!.scores.rerank).toBeTypeOf('number');
  });

  it('mmr puts a different passage second instead of the copy', async () => {
    const { store, embedder } = await setup();
    const plain = await retrieve({ store, query: 'how often is the gearbox oil replaced', k: 2, embedder });
    expect(plain.hits.map((h) => h.source).sort()).toEqual(['/a.txt', '/b.txt']);
    const r = await retrieve({ store, query: 'how often is the gearbox oil replaced', k: 2, embedder, rerank: 'mmr', mmrLambda: 0.5 });
    expect(r.hits.map((h) => h.source)).toEqual(['/a.txt', '/c.txt']);
  });

  it('embedding rerank without an embedder says so and keeps the order', async () => {
    const { store } = await setup();
    const r = await retrieve({ store, query: 'gearbox oil', k: 2, mode: 'keyword', rerank: 'embedding' });
    expect(r.notes).toContain('no embedder: embedding rerank skipped');
    expect(r.hits).toHaveLength(2);
  });

  it('takes any Reranker (the slot an LLM reranker fills), given the candidates it asked for', async () => {
    const { store, embedder } = await setup();
    let seen = 0;
    const reverse: Reranker = {
      id: 'reverse',
      rerank: async ({ hits, k }) => {
        seen = hits.length;
        return [...hits].reverse().slice(0, k).map((h, i) => ({ ...h, score: -i, scores: { ...h.scores, rerank: -i } }));
      },
    };
    const r = await retrieve({ store, query: 'gearbox oil', k: 1, embedder, rerank: reverse, candidates: 3 });
    expect(seen).toBe(3);
    expect(r.hits).toHaveLength(1);
    expect(r.steps).toContain('rerank reverse (top 3)');
  });

  it('reranks only the top candidates of a longer list; the rest follow in retrieval order, scores below', async () => {
    const { store, embedder } = await setup();
    const reverse: Reranker = { id: 'reverse', rerank: async ({ hits }) => [...hits].reverse().map((h, i) => ({ ...h, score: 10 - i, scores: { ...h.scores, rerank: 10 - i } })) };
    const plain = await retrieve({ store, query: 'gearbox oil', k: 3, embedder });
    const r = await retrieve({ store, query: 'gearbox oil', k: 3, embedder, rerank: reverse, candidates: 2 });
    expect(r.hits.map((h) => h.chunkId)).toEqual([plain.hits[1]!.chunkId, plain.hits[0]!.chunkId, plain.hits[2]!.chunkId]);
    expect(r.hits[2]!.score).toBeLessThan(r.hits[1]!.score);
    expect(r.hits[2]!.scores.rerank).toBeUndefined();
  });

  it('embeds the query once for search, rerank and compression', async () => {
    const { store, embedder } = await setup();
    embedder.calls.length = 0;
    await retrieve({ store, query: 'gearbox oil', k: 2, embedder, rerank: 'embedding', compress: { embedding: true } });
    expect(embedder.calls.filter((c) => c.length === 1 && c[0] === 'gearbox oil')).toHaveLength(1);
  });
});

describe('pipeline syntax', () => {
  it('parses steps with values, in any written order', () => {
    expect(parsePipeline('mmr')).toEqual({ rerank: 'mmr' });
    expect(parsePipeline('window:2, mmr:0.5')).toEqual({ rerank: 'mmr', mmrLambda: 0.5, context: { mode: 'window', window: 2 } });
    expect(parsePipeline('embedding-rerank:0.2,parent:800,compress:600,candidates:100')).toEqual({
      rerank: 'embedding',
      rerankWeight: 0.2,
      context: { mode: 'parent', maxTokens: 800 },
      compress: { maxTokens: 600 },
      candidates: 100,
    });
    expect(parsePipeline('sentences:3')).toEqual({ context: { mode: 'window', window: 3, unit: 'sentence' } });
    expect(parsePipeline('none')).toEqual({});
    expect(formatPipeline(parsePipeline('compress,window,mmr:0.5'))).toBe('mmr:0.5,window:1,compress');
  });

  it('refuses what it cannot mean, with a usage error', () => {
    for (const bad of ['mmr,embedding', 'window,parent', 'mmr:2', 'window:x', 'rerank', 'candidates']) {
      let error: unknown;
      try {
        parsePipeline(bad);
      } catch (e) {
        error = e;
      }
      expect(isLoreError(error) && error.code === 'INVALID_ARGUMENT', bad).toBe(true);
    }
  });
});
