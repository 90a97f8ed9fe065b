import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChunkInput } from '../../spec/store.js';
import { SqliteStore } from './sqlite-store.js';
import type { VectorIndexOptions } from './vector-index.js';

/** Deterministic PRNG (mulberry32) and Gaussian noise. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(random: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

function normalise(v: Float32Array): Float32Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n);
  for (let i = 0; i < v.length; i++) v[i]! /= n;
  return v;
}

/** Clustered unit vectors: `clusters` random centres, each point a centre plus Gaussian noise. */
function clustered(count: number, d: number, clusters: number, seed: number): Float32Array[] {
  const random = rng(seed);
  const centres = Array.from({ length: clusters }, () => normalise(Float32Array.from({ length: d }, () => gaussian(random))));
  return Array.from({ length: count }, () => {
    const c = centres[Math.floor(random() * clusters)]!;
    return normalise(Float32Array.from(c, (x) => x + (0.7 * gaussian(random)) / Math.sqrt(d)));
  });
}

function chunk(ordinal: number, text: string, metadata = {}): ChunkInput {
  return { ordinal, text, start: 0, end: text.length, headingPath: [], tokenCount: 1, metadata, contentHash: `hash:${text}`, keywordText: text, termCount: 1 };
}

/** `vectors.length` chunks in documents of `perDoc`; document i has metadata `{ group: i % 10 }`. */
function fill(store: SqliteStore, vectors: Float32Array[], perDoc: number, from = 0): void {
  store.ensureCollection('c');
  for (let start = 0; start < vectors.length; start += perDoc) {
    const doc = (from + start) / perDoc;
    const chunks = vectors.slice(start, start + perDoc).map((_, i) => chunk(i, `chunk ${from + start + i}`));
    store.putDocument({ collection: 'c', source: `/d${doc}.md`, mimeType: 'text/markdown', type: 'markdown', contentHash: `d${doc}`, bytes: 1, metadata: { group: doc % 10 }, chunks });
  }
  const pending = store.pendingChunks({ collection: 'c', embedder: 'e', limit: vectors.length + 1 });
  const byText = new Map(vectors.map((v, i) => [`chunk ${from + i}`, v]));
  store.putVectors({ collection: 'c', embedder: 'e', entries: pending.map((p) => ({ chunkId: p.chunkId, contentHash: p.contentHash, vector: byText.get(p.text)! })) });
}

function open(path: string, options: VectorIndexOptions = {}): SqliteStore {
  return new SqliteStore({ path, vectorIndex: options });
}

function ids(store: SqliteStore, vector: Float32Array, extra: { exact?: boolean; group?: number } = {}): number[] {
  return store
    .vectorSearch({ vector, embedder: 'e', k: 10, exact: extra.exact, filter: extra.group === undefined ? undefined : { metadata: { group: extra.group } } })
    .map((h) => h.chunkId);
}

const tmp = () => join(mkdtempSync(join(tmpdir(), 'lore-ann-')), 'v.db');

describe('the approximate vector index', () => {
  it('keeps recall@10 ≥ 0.95 against exact search on 20k clustered 64-d vectors, and is reused from disk', () => {
    const path = tmp();
    const store = open(path);
    // Queries come from the same clusters as the data (drawn after it, so none is a stored vector).
    const all = clustered(20_050, 64, 200, 1);
    fill(store, all.slice(0, 20_000), 500);
    const queries = all.slice(20_000);
    let found = 0;
    for (const q of queries) {
      const exact = new Set(ids(store, q, { exact: true }));
      found += ids(store, q).filter((id) => exact.has(id)).length;
    }
    expect(found / (queries.length * 10)).toBeGreaterThanOrEqual(0.95);
    expect(store.vectorIndexes!.builds).toBe(1);
    const file = store.vectorIndexes!.filePath(1, 'e')!;
    expect(existsSync(file)).toBe(true);
    const first = ids(store, queries[0]!);
    store.close();

    // Another process opens the same database: the file is loaded, not rebuilt.
    const again = open(path);
    expect(ids(again, queries[0]!)).toEqual(first);
    expect(again.vectorIndexes!.builds).toBe(0);
    again.close();
  }, 60_000);

  it('searches small collections exactly, and exactly when asked', () => {
    const store = open(tmp(), { exactBelow: 5000 });
    fill(store, clustered(1000, 16, 20, 3), 100);
    const q = clustered(1, 16, 20, 4)[0]!;
    expect(ids(store, q)).toEqual(ids(store, q, { exact: true }));
    expect(store.vectorIndexes!.builds).toBe(0);
    store.close();
  });

  it('never answers from a stale index: deleted chunks disappear, added ones are found', () => {
    const store = open(tmp(), { exactBelow: 500 });
    const vectors = clustered(2000, 16, 20, 5);
    fill(store, vectors, 100);
    const q = vectors[150]!; // in document 1
    const before = store.vectorSearch({ vector: q, embedder: 'e', k: 10 });
    expect(before[0]!.text).toBe('chunk 150');
    expect(store.vectorIndexes!.builds).toBe(1);

    const doc = before[0]!.documentId;
    const deleted = new Set(store.documentChunks({ documentId: doc }).map((c) => c.chunkId));
    expect(deleted.size).toBe(100);
    expect(store.deleteDocument(doc)).toBe(true);
    const after = store.vectorSearch({ vector: q, embedder: 'e', k: 10 });
    expect(after.map((h) => h.documentId)).not.toContain(doc);
    expect(after.some((h) => deleted.has(h.chunkId))).toBe(false);
    expect(ids(store, q)).toEqual(ids(store, q, { exact: true }).slice(0, 10));
    // Repaired from the removal log, not rebuilt.
    expect(store.vectorIndexes!.builds).toBe(1);

    // New vectors, among them the query itself: found at once.
    fill(store, [q, ...clustered(99, 16, 20, 6)], 100, 5000);
    const added = store.vectorSearch({ vector: q, embedder: 'e', k: 3 });
    expect(added[0]!.text).toBe('chunk 5000');
    expect(added[0]!.score).toBeGreaterThan(0.999);
    expect(store.vectorIndexes!.builds).toBe(1);
    expect(store.vectorIndexes!.repairs).toBe(2);
    store.close();
  }, 30_000);

  it('rebuilds an index file that is missing, corrupt, or from another version', () => {
    const path = tmp();
    const store = open(path, { exactBelow: 500 });
    const vectors = clustered(1500, 16, 20, 7);
    fill(store, vectors, 100);
    const q = vectors[42]!;
    const expected = ids(store, q);
    const file = store.vectorIndexes!.filePath(1, 'e')!;
    store.close();

    writeFileSync(file, Buffer.from('not an index at all'));
    const corrupt = open(path, { exactBelow: 500 });
    expect(ids(corrupt, q)).toEqual(expected);
    expect(corrupt.vectorIndexes!.builds).toBe(1);
    corrupt.close();

    rmSync(file);
    const missing = open(path, { exactBelow: 500 });
    expect(ids(missing, q)).toEqual(expected);
    expect(missing.vectorIndexes!.builds).toBe(1);
    expect(existsSync(file)).toBe(true);
    missing.close();

    // Written by a process whose index was built before a vector changed: the version differs.
    const writer = open(path, { exactBelow: 500 });
    const victim = writer.vectorSearch({ vector: q, embedder: 'e', k: 1 })[0]!;
    const far = new Float32Array(16);
    far[0] = -1;
    writer.putVectors({ collection: 'c', embedder: 'e', entries: [{ chunkId: victim.chunkId, contentHash: 'moved', vector: far }] });
    writer.close();
    const reader = open(path, { exactBelow: 500 });
    expect(ids(reader, q)).not.toContain(victim.chunkId);
    expect(ids(reader, q)).toEqual(ids(reader, q, { exact: true }));
    // The saved index is older than the write: repaired from the log, not rebuilt.
    expect(reader.vectorIndexes!.builds).toBe(0);
    expect(reader.vectorIndexes!.repairs).toBe(1);
    // Deleting the collection removes its index files.
    expect(existsSync(file)).toBe(true);
    reader.deleteCollection('c');
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.json`)).toBe(false);
    reader.close();
  }, 30_000);

  it('searches a restrictive filter exactly, and a broad one through the index, returning only matches', () => {
    const store = open(tmp(), { exactBelow: 500, filteredExactMax: 300 });
    const vectors = clustered(3000, 16, 20, 8);
    fill(store, vectors, 50); // 60 documents, 6 per group: 300 chunks per group
    const allowed = (group: number) =>
      new Set(store.listDocuments({ collection: 'c' }).filter((d) => d.metadata.group === group).flatMap((d) => store.documentChunks({ documentId: d.id }).map((c) => c.chunkId)));
    const q = vectors[7]!;
    // 300 candidates: at the exact limit, so identical to the exact scan.
    expect(ids(store, q, { group: 3 })).toEqual(ids(store, q, { group: 3, exact: true }));
    const three = allowed(3);
    expect(ids(store, q, { group: 3 }).every((id) => three.has(id))).toBe(true);

    // A broader filter (over the limit) goes through HNSW with the filter: still only matches.
    const broad = open(store.path, { exactBelow: 500, filteredExactMax: 100 });
    const got = ids(broad, q, { group: 3 });
    expect(got).toHaveLength(10);
    expect(got.every((id) => three.has(id))).toBe(true);
    const exact = new Set(ids(broad, q, { group: 3, exact: true }));
    expect(got.filter((id) => exact.has(id)).length).toBeGreaterThanOrEqual(9);
    broad.close();
    store.close();
  }, 30_000);

  describe('repaired after writes instead of rebuilt', () => {
    // A large ef makes HNSW exact on these small collections, so any difference from the exact scan is a stale label.
    const options: VectorIndexOptions = { exactBelow: 500, efSearch: 4000 };

    /** Top 10 (ids and scores) equal to the exact scan for every query, and none of `gone` among them. */
    function expectExact(store: SqliteStore, queries: Float32Array[], gone: Set<number> = new Set()): void {
      for (const q of queries) {
        const got = store.vectorSearch({ vector: q, embedder: 'e', k: 10 });
        const exact = store.vectorSearch({ vector: q, embedder: 'e', k: 10, exact: true });
        expect(got.map((h) => h.chunkId)).toEqual(exact.map((h) => h.chunkId));
        got.forEach((h, i) => expect(h.score).toBeCloseTo(exact[i]!.score, 4));
        expect(got.some((h) => gone.has(h.chunkId))).toBe(false);
      }
    }

    function chunkIds(store: SqliteStore, documentId: number): number[] {
      return store.documentChunks({ documentId }).map((c) => c.chunkId);
    }

    function documentId(store: SqliteStore, source: string): number {
      return store.listDocuments({ collection: 'c' }).find((d) => d.source === source)!.id;
    }

    /** Puts document `source` (new or replacing) with one chunk per vector, and embeds it. */
    function put(store: SqliteStore, source: string, vectors: Float32Array[], tag: string): number[] {
      const chunks = vectors.map((_, i) => chunk(i, `${tag} ${i}`));
      const doc = store.putDocument({ collection: 'c', source, mimeType: 'text/markdown', type: 'markdown', contentHash: tag, bytes: 1, metadata: {}, chunks });
      const pending = store.pendingChunks({ collection: 'c', embedder: 'e', limit: 10_000 });
      const byText = new Map(vectors.map((v, i) => [`${tag} ${i}`, v]));
      store.putVectors({ collection: 'c', embedder: 'e', entries: pending.map((p) => ({ chunkId: p.chunkId, contentHash: p.contentHash, vector: byText.get(p.text)! })) });
      return chunkIds(store, doc.id);
    }

    it('after appends, deletes, replaced documents, re-embedded chunks and reused ids: the exact top 10, no rebuild', () => {
      const path = tmp();
      const store = open(path, options);
      const vectors = clustered(2000, 16, 20, 11);
      fill(store, vectors, 100);
      const queries = clustered(15, 16, 20, 12);
      expectExact(store, queries);
      expect(store.vectorIndexes!.builds).toBe(1);
      const gone = new Set<number>();

      // Appended: a new document whose first vector is a query.
      const appended = put(store, '/new.md', [queries[0]!, ...clustered(49, 16, 20, 13)], 'new');
      expect(store.vectorSearch({ vector: queries[0]!, embedder: 'e', k: 1 })[0]!.chunkId).toBe(appended[0]);
      expectExact(store, queries);

      // Deleted: a document in the middle.
      const middle = documentId(store, '/d7.md');
      for (const id of chunkIds(store, middle)) gone.add(id);
      store.deleteDocument(middle);
      expectExact(store, [...queries, ...vectors.slice(700, 705)], gone);

      // Replaced: same source, new chunks (new ids), the old ones deleted; the new text sits on a query.
      const replacedDoc = documentId(store, '/d3.md');
      for (const id of chunkIds(store, replacedDoc)) gone.add(id);
      const replaced = put(store, '/d3.md', [queries[1]!, ...clustered(9, 16, 20, 14)], 'replaced');
      expect(replaced.some((id) => gone.has(id))).toBe(false);
      expect(store.vectorSearch({ vector: queries[1]!, embedder: 'e', k: 1 })[0]!.chunkId).toBe(replaced[0]);
      expectExact(store, [...queries, ...vectors.slice(300, 305)], gone);

      // Re-embedded: existing chunks get new vectors (INSERT OR REPLACE keeps their ids); one moves onto a query.
      const moved = chunkIds(store, documentId(store, '/d5.md')).slice(0, 20);
      const fresh = clustered(20, 16, 20, 15);
      fresh[0] = queries[2]!;
      store.putVectors({ collection: 'c', embedder: 'e', entries: moved.map((chunkId, i) => ({ chunkId, contentHash: `moved ${i}`, vector: fresh[i]! })) });
      expect(store.vectorSearch({ vector: queries[2]!, embedder: 'e', k: 1 })[0]!.chunkId).toBe(moved[0]);
      // Their old vectors are gone from the index: searching at an old position finds the chunk only at its new score.
      expectExact(store, [...queries, ...vectors.slice(500, 520)], gone);

      // Reused ids: the chunks with the largest ids go, and SQLite hands the same ids to the next chunks.
      const last = documentId(store, '/d3.md');
      const lastIds = chunkIds(store, last);
      store.deleteDocument(last);
      const reused = put(store, '/reused.md', clustered(10, 16, 20, 16), 'reused');
      expect(reused.filter((id) => lastIds.includes(id)).length).toBeGreaterThan(0);
      for (const id of reused) gone.delete(id);
      expectExact(store, [...queries, queries[1]!], gone);
      expect(store.vectorSearch({ vector: queries[1]!, embedder: 'e', k: 1 })[0]!.score).toBeLessThan(0.999);

      expect(store.vectorIndexes!.builds).toBe(1);
      expect(store.vectorIndexes!.repairs).toBeGreaterThanOrEqual(5);
      const answers = queries.map((q) => ids(store, q));
      store.close();

      // A freshly built index (the file removed) gives the same answers.
      const file = store.vectorIndexes!.filePath(1, 'e')!;
      rmSync(file);
      const rebuilt = open(path, options);
      expect(queries.map((q) => ids(rebuilt, q))).toEqual(answers);
      expect(rebuilt.vectorIndexes!.builds).toBe(1);
      rebuilt.close();
    }, 60_000);

    it('after a write from another connection, and in a process reopening the saved index', () => {
      const path = tmp();
      const reader = open(path, options);
      fill(reader, clustered(1500, 16, 20, 21), 100);
      const queries = clustered(10, 16, 20, 22);
      expectExact(reader, queries);
      expect(reader.vectorIndexes!.builds).toBe(1);

      const writer = open(path, options);
      const doc = documentId(writer, '/d2.md');
      const gone = new Set(chunkIds(writer, doc));
      writer.deleteDocument(doc);
      const added = put(writer, '/other.md', [queries[3]!, ...clustered(29, 16, 20, 23)], 'other');
      expectExact(reader, queries, gone);
      expect(reader.vectorSearch({ vector: queries[3]!, embedder: 'e', k: 1 })[0]!.chunkId).toBe(added[0]);
      expect(reader.vectorIndexes!.builds).toBe(1);
      expect(reader.vectorIndexes!.repairs).toBe(1);
      reader.close();

      // The file still holds the index as built (a repair is not written back at once): the next process loads
      // it and repairs it from the logs the same way.
      const next = open(path, options);
      expectExact(next, queries, gone);
      expect(next.vectorIndexes!.builds).toBe(0);
      expect(next.vectorIndexes!.repairs).toBe(1);
      next.close();

      // Written while no process had it open: the saved index is repaired on load.
      const other = documentId(writer, '/d4.md');
      for (const id of chunkIds(writer, other)) gone.add(id);
      writer.deleteDocument(other);
      writer.close();
      const later = open(path, options);
      expectExact(later, queries, gone);
      expect(later.vectorIndexes!.builds).toBe(0);
      expect(later.vectorIndexes!.repairs).toBe(1);
      later.close();
    }, 60_000);

    it('writes a repaired index back once its file falls half the logs\' reach behind', () => {
      const path = tmp();
      const store = open(path, options);
      // 2,000 vectors: 460 repairs stay below a quarter of the index (past it, it would be rebuilt and saved).
      const vectors = clustered(2000, 16, 20, 41);
      fill(store, vectors, 100);
      const queries = clustered(5, 16, 20, 42);
      expectExact(store, queries);
      const file = store.vectorIndexes!.filePath(1, 'e')!;
      const stamp = () => JSON.parse(readFileSync(`${file}.json`, 'utf8')) as { version: number };
      const built = stamp().version;
      const version = () => Number(store.db.prepare('SELECT vector_version FROM collections WHERE id = 1').pluck().get());
      const chunkId = store.vectorSearch({ vector: vectors[0]!, embedder: 'e', k: 1 })[0]!.chunkId;
      // One write, one query, 460 times: each repaired in memory; the file is written once, at 450 versions behind.
      const moves = clustered(460, 16, 20, 43);
      for (let i = 0; i < 460; i++) {
        store.putVectors({ collection: 'c', embedder: 'e', entries: [{ chunkId, contentHash: `w ${i}`, vector: moves[i]! }] });
        expect(store.vectorSearch({ vector: moves[i]!, embedder: 'e', k: 1 })[0]!.chunkId).toBe(chunkId);
        if (version() - built < 450) expect(stamp().version).toBe(built);
      }
      expect(stamp().version).toBe(built + 450);
      expect(store.vectorIndexes!.builds).toBe(1);
      expect(store.vectorIndexes!.repairs).toBe(460);
      expectExact(store, queries);
      store.close();
      const next = open(path, options);
      expectExact(next, [...queries, moves[459]!]);
      expect(next.vectorIndexes!.builds).toBe(0);
      next.close();
    }, 60_000);

    it('rebuilds after clearVectors, when repairs pass a quarter of the index, and when the logs no longer reach back', () => {
      const store = open(tmp(), options);
      const vectors = clustered(1000, 16, 20, 31);
      fill(store, vectors, 100);
      const queries = clustered(10, 16, 20, 32);
      expectExact(store, queries);
      expect(store.vectorIndexes!.builds).toBe(1);

      // clearVectors, then the same chunks embedded again with other vectors.
      expect(store.clearVectors({ collection: 'c' })).toBe(1000);
      const again = clustered(1000, 16, 20, 33);
      const pending = store.pendingChunks({ collection: 'c', embedder: 'e', limit: 2000 });
      store.putVectors({ collection: 'c', embedder: 'e', entries: pending.map((p, i) => ({ chunkId: p.chunkId, contentHash: `again ${i}`, vector: again[i]! })) });
      expectExact(store, queries);
      expect(store.vectorIndexes!.builds).toBe(2);

      // A third of the chunks re-embedded: past the repair share.
      const all = pending.map((p) => p.chunkId);
      const third = clustered(340, 16, 20, 34);
      store.putVectors({ collection: 'c', embedder: 'e', entries: all.slice(0, 340).map((chunkId, i) => ({ chunkId, contentHash: `third ${i}`, vector: third[i]! })) });
      expectExact(store, queries);
      expect(store.vectorIndexes!.builds).toBe(3);

      // A small change, repaired; then 1,000 writes with no query between: the log no longer reaches back.
      store.putVectors({ collection: 'c', embedder: 'e', entries: [{ chunkId: all[500]!, contentHash: 'one', vector: queries[4]! }] });
      expectExact(store, queries);
      expect(store.vectorIndexes!.builds).toBe(3);
      for (let i = 0; i < 1000; i++) {
        store.putVectors({ collection: 'c', embedder: 'e', entries: [{ chunkId: all[600]!, contentHash: `many ${i}`, vector: vectors[i]! }] });
      }
      expectExact(store, queries);
      expect(store.vectorSearch({ vector: vectors[999]!, embedder: 'e', k: 1 })[0]!.chunkId).toBe(all[600]);
      expect(store.vectorIndexes!.builds).toBe(4);
      store.close();
    }, 60_000);
  });
});
