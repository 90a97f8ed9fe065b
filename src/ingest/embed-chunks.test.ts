import { afterAll, describe, expect, it } from 'vitest';
import { isLoreError } from '../spec/errors.js';
import type { ChunkInput } from '../spec/store.js';
import { createUseLiteEmbedder } from '../models/embedders/index.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { embedChunks } from './embed-chunks.js';
import { asAsyncStore } from '../store/contract/async-store.js';

function chunk(ordinal: number, text: string): ChunkInput {
  return { ordinal, text, start: 0, end: text.length, headingPath: [], tokenCount: 1, metadata: {}, contentHash: `h:${text}`, keywordText: text, termCount: 1 };
}

describe('embedChunks', () => {
  const embedder = createUseLiteEmbedder({ workers: 0 });
  afterAll(() => embedder.close?.());

  function setup(): SqliteStore {
    const store = new SqliteStore({ path: ':memory:' });
    store.ensureCollection('c');
    const english = Array.from({ length: 20 }, (_, i) => chunk(i, `Turbine ${i} needs its gearbox oil checked after ${i + 1} months of service.`));
    const chinese = Array.from({ length: 4 }, (_, i) => chunk(20 + i, `风力发电机${i}号的齿轮箱需要定期检查油位和油温。`));
    store.putDocument({ collection: 'c', source: '/a', mimeType: 'text/plain', type: 'text', contentHash: 'a', bytes: 1, metadata: {}, chunks: [...english, ...chinese] });
    return store;
  }

  it('resumes after an interruption without re-embedding what was done, and skips languages the model does not know', async () => {
    const store = setup();
    const controller = new AbortController();
    await expect(
      embedChunks({ store: asAsyncStore(store), collection: 'c', embedder, batchSize: 8, signal: controller.signal, onProgress: (p) => p.done >= 8 && controller.abort() }),
    ).rejects.toSatisfy((e) => isLoreError(e, 'ABORTED'));
    const remaining = store.countPendingChunks({ collection: 'c', embedder: embedder.id });
    expect(remaining).toBeGreaterThan(0);
    expect(remaining).toBeLessThan(24);

    const resumed = await embedChunks({ store: asAsyncStore(store), collection: 'c', embedder, batchSize: 8 });
    expect(resumed.total).toBe(remaining);
    expect(resumed.embedded + resumed.skipped + resumed.cached).toBe(remaining);
    expect(store.countPendingChunks({ collection: 'c', embedder: embedder.id })).toBe(0);
    const rows = (store.db.prepare('SELECT count(*) AS n, count(DISTINCT chunk_id) AS d, sum(length(vector) = 0) AS empty FROM chunk_vectors').get() as { n: number; d: number; empty: number });
    expect(rows).toEqual({ n: 24, d: 24, empty: 4 });

    const [query] = await embedder.embed(['how often is the gearbox oil checked']);
    const hits = store.vectorSearch({ vector: query!, embedder: embedder.id, k: 30 });
    expect(hits).toHaveLength(20);
    expect(hits.every((h) => h.text.startsWith('Turbine'))).toBe(true);
    store.close();
  });

  it('takes unchanged texts from the embedding cache when a document is re-chunked', async () => {
    const store = setup();
    const first = await embedChunks({ store: asAsyncStore(store), collection: 'c', embedder });
    expect(first.embedded).toBe(20);
    // Same texts, new chunk rows (as after re-ingesting with other settings): nothing is embedded again.
    store.putDocument({ collection: 'c', source: '/a', mimeType: 'text/plain', type: 'text', contentHash: 'a2', bytes: 1, metadata: {}, chunks: [chunk(0, 'Turbine 3 needs its gearbox oil checked after 4 months of service.'), chunk(1, 'A brand new sentence about blade erosion.')] });
    const second = await embedChunks({ store: asAsyncStore(store), collection: 'c', embedder });
    expect(second).toMatchObject({ total: 2, cached: 1, embedded: 1, skipped: 0 });
    store.close();
  });
});
