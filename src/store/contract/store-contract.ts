import { afterEach, describe, expect, it } from 'vitest';
import { isLoreError } from '../../spec/errors.js';
import type { ChunkInput, DocumentInput, Store } from '../../spec/store.js';
import { analyze } from '../../text/analyze.js';

/**
 * The behaviours every Lore store must share, run against each implementation (SQLite, PostgreSQL) through
 * the store contract (SQLite through `asAsyncStore`). `makeStore` returns a new, empty store each time.
 */
export function runStoreContract(name: string, makeStore: () => Promise<Store>): void {
  describe(`store contract: ${name}`, () => {
    const open: Store[] = [];
    const fresh = async (): Promise<Store> => {
      const store = await makeStore();
      open.push(store);
      return store;
    };
    afterEach(async () => {
      for (const store of open.splice(0)) await store.close();
    });

    it('stores documents with chunks and finds them by BM25, best first', async () => {
      const store = await fresh();
      await store.ensureCollection('c1');
      await store.putDocument(doc('/a.txt', ['the gearbox oil must be replaced every 18 months', 'blades erode in sand storms']));
      await store.putDocument(doc('/b.txt', ['yaw bearings need grease', 'gearbox gearbox gearbox oil temperature']));
      const hits = await store.keywordSearch({ terms: analyze('gearbox oil'), k: 10 });
      expect(hits.length).toBe(2);
      expect(hits[0]!.source).toBe('/b.txt');
      expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
      expect(hits[0]!.scores.keyword).toBe(hits[0]!.score);
      expect(hits[0]).toMatchObject({ collection: 'c1', mimeType: 'text/plain', ordinal: 1, text: 'gearbox gearbox gearbox oil temperature', page: null, headingPath: [] });
      expect((await store.listCollections())[0]).toMatchObject({ name: 'c1', documentCount: 2, chunkCount: 4 });
      expect(await store.keywordSearch({ terms: analyze('gearbox oil'), k: 1 })).toHaveLength(1);
      expect(await store.keywordSearch({ terms: analyze('gearbox oil'), k: 0 })).toEqual([]);
    });

    it('scores BM25 with the given k1 and b, Lucene IDF, term weights, from the collection statistics', async () => {
      const store = await fresh();
      await store.ensureCollection('c1');
      const texts = ['alpha beta beta', 'alpha gamma', 'delta delta delta delta'];
      await store.putDocument(doc('/a.txt', texts, { chunks: texts.map((t, i) => chunk(i, t, { keywordText: t, termCount: t.split(' ').length })) }));
      const bm25 = { k1: 1.2, b: 0.5 };
      const hits = await store.keywordSearch({ terms: ['alpha', 'beta'], k: 10, bm25, weights: { beta: 2 } });
      // Reference: N = 3, average length 3; alpha in 2 chunks, beta in 1.
      const idf = (df: number) => Math.log(1 + (3 - df + 0.5) / (df + 0.5));
      const part = (tf: number, len: number) => (tf * (bm25.k1 + 1)) / (tf + bm25.k1 * (1 - bm25.b + (bm25.b * len) / 3));
      const first = idf(2) * part(1, 3) + 2 * idf(1) * part(2, 3);
      const second = idf(2) * part(1, 2);
      expect(hits.map((h) => h.text)).toEqual(['alpha beta beta', 'alpha gamma']);
      expect(hits[0]!.score).toBeCloseTo(first, 10);
      expect(hits[1]!.score).toBeCloseTo(second, 10);
      expect(await store.keywordTerms([hits[0]!.chunkId, hits[1]!.chunkId])).toEqual(
        new Map([
          [hits[0]!.chunkId, ['alpha', 'beta', 'beta']],
          [hits[1]!.chunkId, ['alpha', 'gamma']],
        ]),
      );
    });

    it('finds Chinese text by its analysed words', async () => {
      const store = await fresh();
      await store.ensureCollection('c1');
      await store.putDocument(doc('/zh.md', ['风力发电机的齿轮箱需要定期更换润滑油。', '叶片在沙尘暴中会受到侵蚀。'], { type: 'markdown', mimeType: 'text/markdown' }));
      await store.putDocument(doc('/en.md', ['the gearbox needs oil'], { type: 'markdown', mimeType: 'text/markdown' }));
      const hits = await store.keywordSearch({ terms: analyze('齿轮箱润滑油'), k: 5 });
      expect(hits.map((h) => h.text)).toEqual(['风力发电机的齿轮箱需要定期更换润滑油。']);
      expect((await store.keywordSearch({ terms: analyze('叶片'), k: 5 }))[0]!.ordinal).toBe(1);
    });

    it('replaces a document atomically and bumps its version', async () => {
      const store = await fresh();
      await store.ensureCollection('c1');
      const first = await store.putDocument(doc('/a.txt', ['alpha one', 'alpha two']));
      const second = await store.putDocument(doc('/a.txt', ['beta only'], { contentHash: 'new' }));
      expect(second.id).toBe(first.id);
      expect(second.uid).toBe(first.uid);
      expect(second.version).toBe(2);
      expect(second.chunkCount).toBe(1);
      expect(second.contentHash).toBe('new');
      expect(await store.keywordSearch({ terms: ['alpha'], k: 5 })).toHaveLength(0);
      expect(await store.keywordSearch({ terms: ['beta'], k: 5 })).toHaveLength(1);
      expect((await store.getCollection('c1'))!.chunkCount).toBe(1);
    });

    it('rolls back a failing write: the old version stays whole', async () => {
      const store = await fresh();
      await store.ensureCollection('c1');
      await store.putDocument(doc('/a.txt', ['alpha one', 'alpha two']));
      // Duplicate ordinals violate the unique constraint half-way through the write.
      const bad = doc('/a.txt', ['beta', 'gamma'], { contentHash: 'x' });
      bad.chunks[1]!.ordinal = 0;
      await expect(store.putDocument(bad)).rejects.toThrow();
      const d = (await store.findDocument('c1', '/a.txt'))!;
      expect(d.chunkCount).toBe(2);
      expect(d.version).toBe(1);
      expect(await store.keywordSearch({ terms: ['alpha'], k: 5 })).toHaveLength(2);
      expect(await store.keywordSearch({ terms: ['beta'], k: 5 })).toHaveLength(0);
      expect((await store.getCollection('c1'))!.chunkCount).toBe(2);
    });

    it('reads, lists and deletes documents by id and uid', async () => {
      const store = await fresh();
      await store.ensureCollection('c1');
      await store.ensureCollection('c2');
      const a = await store.putDocument(doc('/a.txt', ['alpha'], { title: 'A', metadata: { lang: 'en', n: 1 } }));
      await store.putDocument(doc('/b.txt', ['beta']));
      await store.putDocument(doc('/c.txt', ['gamma'], { collection: 'c2' }));
      expect(a).toMatchObject({ collection: 'c1', source: '/a.txt', title: 'A', type: 'text', mimeType: 'text/plain', bytes: 10, chunkCount: 1, version: 1, metadata: { lang: 'en', n: 1 } });
      expect(a.uid).toMatch(/^[0-9a-f]{16}$/);
      expect(await store.getDocument(a.id)).toEqual(a);
      expect(await store.getDocument(a.uid)).toEqual(a);
      expect(await store.getDocument(99999)).toBeUndefined();
      expect(await store.findDocument('c1', '/nope')).toBeUndefined();
      expect((await store.listDocuments()).map((d) => `${d.collection}${d.source}`)).toEqual(['c1/a.txt', 'c1/b.txt', 'c2/c.txt']);
      expect((await store.listDocuments({ collection: 'c2' })).map((d) => d.source)).toEqual(['/c.txt']);
      expect(await store.deleteDocument(a.id)).toBe(true);
      expect(await store.deleteDocument(a.id)).toBe(false);
      expect(await store.keywordSearch({ terms: ['alpha'], k: 5 })).toHaveLength(0);
      expect(await store.getCollection('c1')).toMatchObject({ documentCount: 1, chunkCount: 1 });
    });

    it('keeps collections apart and deletes them with their index', async () => {
      const store = await fresh();
      await store.ensureCollection('c1');
      await store.ensureCollection('c2');
      await store.putDocument(doc('/a.txt', ['shared word here']));
      await store.putDocument(doc('/a.txt', ['shared word there'], { collection: 'c2' }));
      expect(await store.keywordSearch({ terms: ['share'], k: 5 })).toHaveLength(2);
      expect((await store.keywordSearch({ terms: ['share'], k: 5, filter: { collection: 'c2' } })).map((h) => h.collection)).toEqual(['c2']);
      expect(await store.deleteCollection('c2')).toBe(true);
      expect(await store.deleteCollection('c2')).toBe(false);
      expect(await store.keywordSearch({ terms: ['share'], k: 5 })).toHaveLength(1);
      expect((await store.listDocuments()).length).toBe(1);
      await expect(store.keywordSearch({ terms: ['share'], k: 5, filter: { collection: 'nope' } })).rejects.toThrow(/No collection/);
      await expect(store.putDocument(doc('/x.txt', ['x'], { collection: 'nope' }))).rejects.toSatisfy((e) => isLoreError(e, 'NOT_FOUND'));
    });

    it('keeps collection settings, merging updates', async () => {
      const store = await fresh();
      const created = await store.ensureCollection('c1', { splitter: 'markdown' });
      expect(created).toMatchObject({ name: 'c1', documentCount: 0, chunkCount: 0, settings: { splitter: 'markdown' } });
      expect(Number.isNaN(Date.parse(created.createdAt))).toBe(false);
      // Ensuring an existing collection leaves its settings alone.
      expect((await store.ensureCollection('c1', { other: 1 })).settings).toEqual({ splitter: 'markdown' });
      const updated = await store.updateCollectionSettings('c1', { embedder: 'e1', dims: 3 });
      expect(updated.settings).toEqual({ splitter: 'markdown', embedder: 'e1', dims: 3 });
      expect((await store.getCollection('c1'))!.settings).toEqual(updated.settings);
      expect(await store.getCollection('missing')).toBeUndefined();
      await expect(store.updateCollectionSettings('missing', {})).rejects.toThrow(/No collection/);
      await store.ensureCollection('a0');
      expect((await store.listCollections()).map((c) => c.name)).toEqual(['a0', 'c1']);
    });

    it('rejects bad collection names', async () => {
      const store = await fresh();
      await expect(store.ensureCollection('a b; drop')).rejects.toThrow(/not a valid collection name/);
    });

    it('filters by source glob, type and metadata before ranking', async () => {
      const store = await fresh();
      await store.ensureCollection('c1');
      await store.putDocument(doc('/docs/reports/2023/q1.pdf', ['turbine report'], { type: 'pdf', mimeType: 'application/pdf', metadata: { year: 2023, city: 'Shanghai' } }));
      await store.putDocument(doc('/docs/notes/q2.md', ['turbine notes'], { type: 'markdown', metadata: { year: 2024 } }));
      const rows = doc('/docs/parts.csv', ['turbine part a', 'turbine part b'], { type: 'csv' });
      rows.chunks[1]!.metadata = { row: 2, ok: true };
      await store.putDocument(rows);
      const terms = ['turbin'];
      const search = async (filter: object) => store.keywordSearch({ terms, k: 10, filter });
      expect((await search({ source: '**/reports/**' })).map((h) => h.source)).toEqual(['/docs/reports/2023/q1.pdf']);
      expect((await search({ source: '*.md' })).map((h) => h.source)).toEqual(['/docs/notes/q2.md']);
      expect(await search({ type: 'pdf' })).toHaveLength(1);
      expect(await search({ type: 'application/pdf' })).toHaveLength(1);
      expect(await search({ type: 'md' })).toHaveLength(1);
      expect(await search({ metadata: { year: 2023, city: 'Shanghai' } })).toHaveLength(1);
      expect((await search({ metadata: { row: 2 } }))[0]!.text).toBe('turbine part b');
      expect(await search({ metadata: { ok: true } })).toHaveLength(1);
      expect(await search({ metadata: { year: 1999 } })).toHaveLength(0);
      expect(await search({ source: '/docs/**', type: 'csv', metadata: { row: 2 } })).toHaveLength(1);
    });

    it('treats query syntax in terms as plain text', async () => {
      const store = await fresh();
      await store.ensureCollection('c1');
      await store.putDocument(doc('/a.txt', ['near and or not']));
      await expect(store.keywordSearch({ terms: ['NEAR', 'AND', '"', '*', 'col:x', '^', "'; drop table chunks; --"], k: 5 })).resolves.toBeDefined();
      expect(await store.keywordSearch({ terms: [], k: 5 })).toEqual([]);
      expect(await store.keywordSearch({ terms: ['NEAR'], k: 5 })).toHaveLength(1);
    });

    it('reads a document’s chunks in order, with offsets, pages, heading paths and metadata', async () => {
      const store = await fresh();
      const { doc: d } = await setupOffsets(store);
      const all = await store.documentChunks({ documentId: d.id });
      expect(all.map((c) => c.ordinal)).toEqual([0, 1, 2]);
      for (const c of all) expect(OFFSET_TEXT.slice(c.start, c.end)).toBe(c.text);
      expect(all[2]).toEqual({ chunkId: all[2]!.chunkId, documentId: d.id, ordinal: 2, text: 'Beta three.', start: 31, end: 42, headingPath: ['Beta'], metadata: { part: 2 }, page: 2, tokenCount: 2 });
      expect((await store.documentChunks({ documentId: d.id, fromOrdinal: 1, toOrdinal: 1 })).map((c) => c.ordinal)).toEqual([1]);
      expect((await store.documentChunks({ documentId: d.id, fromOrdinal: 2 })).map((c) => c.ordinal)).toEqual([2]);
      expect(await store.documentChunks({ documentId: d.id, fromOrdinal: 5, toOrdinal: 9 })).toEqual([]);
      expect(await store.documentChunks({ documentId: 99999 })).toEqual([]);
    });

    it('reads stored vectors by chunk id and embedder; null for a chunk the embedder cannot represent', async () => {
      const store = await fresh();
      const { doc: d } = await setupOffsets(store);
      const [a, b, c] = await store.documentChunks({ documentId: d.id });
      const v = Float32Array.from([0.6, 0.8]);
      await store.putVectors({ collection: 'c', embedder: 'e1', entries: [{ chunkId: a!.chunkId, contentHash: 'x', vector: v }, { chunkId: b!.chunkId, contentHash: 'y', vector: null }] });
      const got = await store.chunkVectors({ embedder: 'e1', chunkIds: [a!.chunkId, b!.chunkId, c!.chunkId, a!.chunkId] });
      expect([...got.keys()].sort()).toEqual([a!.chunkId, b!.chunkId].sort());
      expect(got.get(a!.chunkId)).toBeInstanceOf(Float32Array);
      expect([...got.get(a!.chunkId)!]).toEqual([...v]);
      expect(got.get(b!.chunkId)).toBeNull();
      expect((await store.chunkVectors({ embedder: 'other', chunkIds: [a!.chunkId] })).size).toBe(0);
      expect((await store.chunkVectors({ embedder: 'e1', chunkIds: [] })).size).toBe(0);
    });

    it('lists pending chunks, stores vectors and the cache, and searches by cosine', async () => {
      const store = await fresh();
      await setupVectors(store);
      expect(await store.countPendingChunks({ collection: 'c', embedder: 'e1' })).toBe(4);
      const pending = await store.pendingChunks({ collection: 'c', embedder: 'e1', limit: 10 });
      expect(pending.map((p) => p.text)).toEqual(['alpha one', 'alpha two', 'beta one', '中文 段落']);
      expect((await store.pendingChunks({ collection: 'c', embedder: 'e1', limit: 2, afterChunkId: pending[0]!.chunkId })).map((p) => p.text)).toEqual(['alpha two', 'beta one']);
      const vectors: Record<string, Float32Array | null> = {
        'alpha one': unit([1, 0, 0]),
        'alpha two': unit([0.9, 0.1, 0]),
        'beta one': unit([0, 1, 0]),
        '中文 段落': null,
      };
      await store.putVectors({ collection: 'c', embedder: 'e1', entries: pending.map((p) => ({ chunkId: p.chunkId, contentHash: p.contentHash, vector: vectors[p.text]! })) });
      expect(await store.countPendingChunks({ collection: 'c', embedder: 'e1' })).toBe(0);
      expect(await store.countPendingChunks({ collection: 'c', embedder: 'e2' })).toBe(4);
      await expect(store.countPendingChunks({ collection: 'nope', embedder: 'e1' })).rejects.toThrow(/No collection/);

      const hits = await store.vectorSearch({ vector: unit([1, 0.05, 0]), embedder: 'e1', k: 10 });
      expect(hits.map((h) => h.text)).toEqual(['alpha one', 'alpha two', 'beta one']);
      expect(hits[0]!.scores.vector).toBeCloseTo(hits[0]!.score);
      expect(hits[0]!.score).toBeGreaterThan(0.99);
      expect(hits[2]!.score).toBeCloseTo(unit([1, 0.05, 0])[1]!, 5);
      expect((await store.vectorSearch({ vector: unit([1, 0.05, 0]), embedder: 'e1', k: 2 })).map((h) => h.text)).toEqual(['alpha one', 'alpha two']);
      // Another embedder's vectors are never compared.
      expect(await store.vectorSearch({ vector: unit([1, 0, 0]), embedder: 'e2', k: 10 })).toEqual([]);

      const cache = await store.cachedEmbeddings({ embedder: 'e1', contentHashes: ['hash:alpha one', 'hash:中文 段落', 'hash:unknown'] });
      expect(Array.from(cache.get('hash:alpha one')!)).toEqual(Array.from(unit([1, 0, 0])));
      expect(cache.get('hash:中文 段落')).toBeNull();
      expect(cache.has('hash:unknown')).toBe(false);
      expect((await store.cachedEmbeddings({ embedder: 'e2', contentHashes: ['hash:alpha one'] })).size).toBe(0);
    });

    it('keeps the embedding cache for a chunk replaced while it was being embedded', async () => {
      const store = await fresh();
      await setupVectors(store);
      const pending = await store.pendingChunks({ collection: 'c', embedder: 'e', limit: 1 });
      await store.putDocument({ collection: 'c', source: '/a.md', mimeType: 'text/markdown', type: 'markdown', contentHash: 'a2', bytes: 1, metadata: {}, chunks: [chunk(0, 'gamma', { contentHash: 'hash:gamma' })] });
      await store.putVectors({ collection: 'c', embedder: 'e', entries: [{ chunkId: pending[0]!.chunkId, contentHash: pending[0]!.contentHash, vector: unit([1, 0, 0]) }] });
      expect((await store.cachedEmbeddings({ embedder: 'e', contentHashes: [pending[0]!.contentHash] })).size).toBe(1);
      expect(await store.chunkVectors({ embedder: 'e', chunkIds: [pending[0]!.chunkId] })).toEqual(new Map());
    });

    it('applies vector filters before ranking, and sees writes made after the first search', async () => {
      const store = await fresh();
      await setupVectors(store);
      const pending = await store.pendingChunks({ collection: 'c', embedder: 'e', limit: 10 });
      await store.putVectors({ collection: 'c', embedder: 'e', entries: pending.map((p, i) => ({ chunkId: p.chunkId, contentHash: p.contentHash, vector: unit([1, i, 0]) })) });
      const q = unit([1, 0, 0]);
      expect((await store.vectorSearch({ vector: q, embedder: 'e', k: 1, filter: { type: 'pdf' } })).map((h) => h.source)).toEqual(['/b.pdf']);
      expect((await store.vectorSearch({ vector: q, embedder: 'e', k: 5, filter: { metadata: { part: 2 } } })).map((h) => h.text)).toEqual(['alpha two']);
      expect((await store.vectorSearch({ vector: q, embedder: 'e', k: 5, filter: { source: '*.pdf' } })).map((h) => h.text)).toEqual(['beta one', '中文 段落']);
      expect((await store.vectorSearch({ vector: q, embedder: 'e', k: 5, filter: { collection: 'c' } })).length).toBe(4);
      await expect(store.vectorSearch({ vector: q, embedder: 'e', k: 5, filter: { collection: 'nope' } })).rejects.toThrow(/No collection/);
      // Replace a document: its old vectors disappear from results, the new chunk waits for a vector.
      await store.putDocument({ collection: 'c', source: '/a.md', mimeType: 'text/markdown', type: 'markdown', contentHash: 'a2', bytes: 1, metadata: {}, chunks: [chunk(0, 'gamma')] });
      expect((await store.vectorSearch({ vector: q, embedder: 'e', k: 10 })).map((h) => h.text)).toEqual(['beta one', '中文 段落']);
      expect((await store.pendingChunks({ collection: 'c', embedder: 'e', limit: 10 })).map((p) => p.text)).toEqual(['gamma']);
      expect(await store.clearVectors({ collection: 'c' })).toBe(2);
      expect(await store.vectorSearch({ vector: q, embedder: 'e', k: 10 })).toEqual([]);
      expect(await store.countPendingChunks({ collection: 'c', embedder: 'e' })).toBe(3);
    });

    it('reports statistics', async () => {
      const store = await fresh();
      await store.ensureCollection('c1');
      await store.ensureCollection('c2');
      await store.putDocument(doc('/a.txt', ['one', 'two']));
      await store.putDocument(doc('/b.txt', ['three'], { collection: 'c2' }));
      const stats = await store.stats();
      expect(stats).toMatchObject({ path: store.path, collections: 2, documents: 2, chunks: 3 });
      expect(stats.schemaVersion).toBeGreaterThan(0);
      expect(stats.fileBytes).toBeGreaterThanOrEqual(0);
    });
  });
}

export function unit(values: number[]): Float32Array {
  const n = Math.hypot(...values);
  return Float32Array.from(values.map((v) => v / n));
}

function chunk(ordinal: number, text: string, extra: Partial<ChunkInput> = {}): ChunkInput {
  const terms = analyze(text);
  return { ordinal, text, start: 0, end: text.length, headingPath: [], tokenCount: 1, metadata: {}, contentHash: `hash:${text}`, keywordText: terms.join(' '), termCount: terms.length, ...extra };
}

function doc(source: string, texts: string[], extra: Partial<DocumentInput> = {}): DocumentInput {
  return {
    collection: 'c1',
    source,
    mimeType: 'text/plain',
    type: 'text',
    contentHash: `hash-${texts.join('|').length}`,
    bytes: 10,
    metadata: {},
    chunks: texts.map((t, i) => chunk(i, t)),
    ...extra,
  };
}

async function setupVectors(store: Store): Promise<void> {
  await store.ensureCollection('c');
  await store.putDocument({ collection: 'c', source: '/a.md', mimeType: 'text/markdown', type: 'markdown', contentHash: 'a', bytes: 1, metadata: {}, chunks: [chunk(0, 'alpha one'), chunk(1, 'alpha two', { metadata: { part: 2 } })] });
  await store.putDocument({ collection: 'c', source: '/b.pdf', mimeType: 'application/pdf', type: 'pdf', contentHash: 'b', bytes: 1, metadata: {}, chunks: [chunk(0, 'beta one'), chunk(1, '中文 段落')] });
}

const OFFSET_TEXT = 'Alpha one. Alpha two.\n\n# Beta\n\nBeta three.';

async function setupOffsets(store: Store) {
  const span = (ordinal: number, start: number, end: number, extra: Partial<ChunkInput> = {}) => chunk(ordinal, OFFSET_TEXT.slice(start, end), { start, end, tokenCount: 2, ...extra });
  await store.ensureCollection('c');
  const d = await store.putDocument({
    collection: 'c',
    source: '/a.md',
    mimeType: 'text/markdown',
    type: 'markdown',
    contentHash: 'a',
    bytes: OFFSET_TEXT.length,
    metadata: {},
    chunks: [span(0, 0, 10), span(1, 0, 21, { page: 1 }), span(2, 31, 42, { headingPath: ['Beta'], metadata: { part: 2 }, page: 2 })],
  });
  return { doc: d };
}
