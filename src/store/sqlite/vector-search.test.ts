import Database from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChunkInput } from '../../spec/store.js';
import { MIGRATIONS } from './migrations.js';
import { SqliteStore } from './sqlite-store.js';

function unit(values: number[]): Float32Array {
  const n = Math.hypot(...values);
  return Float32Array.from(values.map((v) => v / n));
}

function chunk(ordinal: number, text: string, metadata = {}): ChunkInput {
  return { ordinal, text, start: 0, end: text.length, headingPath: [], tokenCount: 1, metadata, contentHash: `hash:${text}`, keywordText: text.toLowerCase(), termCount: text.split(' ').length };
}

function setup() {
  const store = new SqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'lore-vec-')), 'v.db') });
  store.ensureCollection('c');
  store.putDocument({ collection: 'c', source: '/a.md', mimeType: 'text/markdown', type: 'markdown', contentHash: 'a', bytes: 1, metadata: {}, chunks: [chunk(0, 'alpha one'), chunk(1, 'alpha two', { part: 2 })] });
  store.putDocument({ collection: 'c', source: '/b.pdf', mimeType: 'application/pdf', type: 'pdf', contentHash: 'b', bytes: 1, metadata: {}, chunks: [chunk(0, 'beta one'), chunk(1, '中文 段落')] });
  return store;
}

describe('vectors in the SQLite store', () => {
  it('lists pending chunks, stores vectors and the cache, and searches by cosine', () => {
    const store = setup();
    expect(store.countPendingChunks({ collection: 'c', embedder: 'e1' })).toBe(4);
    const pending = store.pendingChunks({ collection: 'c', embedder: 'e1', limit: 10 });
    const vectors: Record<string, Float32Array | null> = {
      'alpha one': unit([1, 0, 0]),
      'alpha two': unit([0.9, 0.1, 0]),
      'beta one': unit([0, 1, 0]),
      '中文 段落': null,
    };
    store.putVectors({ collection: 'c', embedder: 'e1', entries: pending.map((p) => ({ chunkId: p.chunkId, contentHash: p.contentHash, vector: vectors[p.text]! })) });
    expect(store.countPendingChunks({ collection: 'c', embedder: 'e1' })).toBe(0);
    expect(store.countPendingChunks({ collection: 'c', embedder: 'e2' })).toBe(4);

    const hits = store.vectorSearch({ vector: unit([1, 0.05, 0]), embedder: 'e1', k: 10 });
    expect(hits.map((h) => h.text)).toEqual(['alpha one', 'alpha two', 'beta one']);
    expect(hits[0]!.scores.vector).toBeCloseTo(hits[0]!.score);
    expect(hits[0]!.score).toBeGreaterThan(0.99);
    // Another embedder's vectors are never compared.
    expect(store.vectorSearch({ vector: unit([1, 0, 0]), embedder: 'e2', k: 10 })).toEqual([]);

    const cache = store.cachedEmbeddings({ embedder: 'e1', contentHashes: ['hash:alpha one', 'hash:中文 段落', 'hash:unknown'] });
    expect(Array.from(cache.get('hash:alpha one')!)).toEqual(Array.from(unit([1, 0, 0])));
    expect(cache.get('hash:中文 段落')).toBeNull();
    expect(cache.has('hash:unknown')).toBe(false);
    store.close();
  });

  it('applies filters before ranking, and sees writes made after the first search', () => {
    const store = setup();
    const pending = store.pendingChunks({ collection: 'c', embedder: 'e', limit: 10 });
    store.putVectors({ collection: 'c', embedder: 'e', entries: pending.map((p, i) => ({ chunkId: p.chunkId, contentHash: p.contentHash, vector: unit([1, i, 0]) })) });
    const q = unit([1, 0, 0]);
    expect(store.vectorSearch({ vector: q, embedder: 'e', k: 1, filter: { type: 'pdf' } }).map((h) => h.source)).toEqual(['/b.pdf']);
    expect(store.vectorSearch({ vector: q, embedder: 'e', k: 5, filter: { metadata: { part: 2 } } }).map((h) => h.text)).toEqual(['alpha two']);
    // Replace a document: its old vectors disappear from results, the new chunk waits for a vector.
    store.putDocument({ collection: 'c', source: '/a.md', mimeType: 'text/markdown', type: 'markdown', contentHash: 'a2', bytes: 1, metadata: {}, chunks: [chunk(0, 'gamma')] });
    expect(store.vectorSearch({ vector: q, embedder: 'e', k: 10 }).map((h) => h.text)).toEqual(['beta one', '中文 段落']);
    expect(store.pendingChunks({ collection: 'c', embedder: 'e', limit: 10 }).map((p) => p.text)).toEqual(['gamma']);
    expect(store.clearVectors({ collection: 'c' })).toBe(2);
    expect(store.vectorSearch({ vector: q, embedder: 'e', k: 10 })).toEqual([]);
    store.close();
  });

  it('migrates a version-1 database forward, keeping its data', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lore-mig-')), 'old.db');
    const raw = new Database(path);
    raw.exec("CREATE TABLE lore_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO lore_meta VALUES ('app', 'lore'), ('schema_version', '1');");
    MIGRATIONS[0]!(raw);
    raw.prepare("INSERT INTO collections (name, settings, created_at) VALUES ('old', '{}', '2026-01-01')").run();
    raw.close();
    const store = new SqliteStore({ path });
    expect(store.getCollection('old')).toMatchObject({ name: 'old', documentCount: 0 });
    expect(store.db.prepare("SELECT value FROM lore_meta WHERE key = 'schema_version'").pluck().get()).toBe(String(MIGRATIONS.length));
    store.close();
  });

  it('upgrades an older database even when a read-only command opens it first', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lore-mig-')), 'old.db');
    const raw = new Database(path);
    raw.exec("CREATE TABLE lore_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL); INSERT INTO lore_meta VALUES ('app', 'lore'), ('schema_version', '1');");
    MIGRATIONS[0]!(raw);
    raw.prepare("INSERT INTO collections (name, settings, created_at) VALUES ('old', '{}', '2026-01-01')").run();
    raw.close();
    const store = new SqliteStore({ path, readonly: true });
    expect(store.getCollection('old')).toMatchObject({ name: 'old' });
    expect(store.db.prepare("SELECT value FROM lore_meta WHERE key = 'schema_version'").pluck().get()).toBe(String(MIGRATIONS.length));
    expect(store.db.readonly).toBe(true);
    store.close();
  });
});
