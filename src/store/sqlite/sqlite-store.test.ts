import Database from 'better-sqlite3';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isLoreError } from '../../spec/errors.js';
import type { ChunkInput, DocumentInput } from '../../spec/store.js';
import { analyze } from '../../text/analyze.js';
import { SCHEMA_VERSION } from './migrations.js';
import { SqliteStore } from './sqlite-store.js';

function tempDb(): string {
  return join(mkdtempSync(join(tmpdir(), 'lore-store-')), 'lore.db');
}

function chunk(ordinal: number, text: string, extra: Partial<ChunkInput> = {}): ChunkInput {
  return { ordinal, text, start: 0, end: text.length, headingPath: [], tokenCount: 1, metadata: {}, contentHash: `h${ordinal}${text.length}`, keywordText: analyze(text).join(' '), termCount: analyze(text).length, ...extra };
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

describe('SqliteStore', () => {
  it('creates a versioned schema in WAL mode and reopens it', () => {
    const path = tempDb();
    const store = new SqliteStore({ path });
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    store.close();
    const raw = new Database(path);
    expect(raw.prepare("SELECT value FROM lore_meta WHERE key = 'schema_version'").pluck().get()).toBe(String(SCHEMA_VERSION));
    raw.close();
    new SqliteStore({ path }).close();
  });

  it('stores documents with chunks and finds them by BM25, best first', () => {
    const store = new SqliteStore({ path: tempDb() });
    store.ensureCollection('c1');
    store.putDocument(doc('/a.txt', ['the gearbox oil must be replaced every 18 months', 'blades erode in sand storms']));
    store.putDocument(doc('/b.txt', ['yaw bearings need grease', 'gearbox gearbox gearbox oil temperature']));
    const hits = store.keywordSearch({ terms: analyze('gearbox oil'), k: 10 });
    expect(hits.length).toBe(2);
    expect(hits[0]!.source).toBe('/b.txt');
    expect(hits[0]!.score).toBeGreaterThan(hits[1]!.score);
    expect(hits[0]!.scores.keyword).toBe(hits[0]!.score);
    expect(store.listCollections()[0]).toMatchObject({ name: 'c1', documentCount: 2, chunkCount: 4 });
    store.close();
  });

  it('replaces a document atomically and bumps its version', () => {
    const store = new SqliteStore({ path: tempDb() });
    store.ensureCollection('c1');
    const first = store.putDocument(doc('/a.txt', ['alpha one', 'alpha two']));
    const second = store.putDocument(doc('/a.txt', ['beta only'], { contentHash: 'new' }));
    expect(second.id).toBe(first.id);
    expect(second.uid).toBe(first.uid);
    expect(second.version).toBe(2);
    expect(second.chunkCount).toBe(1);
    expect(store.keywordSearch({ terms: ['alpha'], k: 5 })).toHaveLength(0);
    expect(store.keywordSearch({ terms: ['beta'], k: 5 })).toHaveLength(1);
    store.close();
  });

  it('rolls back a failing write: the old version stays whole', () => {
    const store = new SqliteStore({ path: tempDb() });
    store.ensureCollection('c1');
    store.putDocument(doc('/a.txt', ['alpha one', 'alpha two']));
    // Duplicate ordinals violate the UNIQUE constraint half-way through the write.
    const bad = doc('/a.txt', ['beta', 'gamma'], { contentHash: 'x' });
    bad.chunks[1]!.ordinal = 0;
    expect(() => store.putDocument(bad)).toThrow();
    const d = store.findDocument('c1', '/a.txt')!;
    expect(d.chunkCount).toBe(2);
    expect(d.version).toBe(1);
    expect(store.keywordSearch({ terms: ['alpha'], k: 5 })).toHaveLength(2);
    expect(store.keywordSearch({ terms: ['beta'], k: 5 })).toHaveLength(0);
    store.close();
  });

  it('keeps collections apart and deletes them with their index', () => {
    const store = new SqliteStore({ path: tempDb() });
    store.ensureCollection('c1');
    store.ensureCollection('c2');
    store.putDocument(doc('/a.txt', ['shared word here']));
    store.putDocument(doc('/a.txt', ['shared word there'], { collection: 'c2' }));
    expect(store.keywordSearch({ terms: ['share'], k: 5 })).toHaveLength(2);
    expect(store.keywordSearch({ terms: ['share'], k: 5, filter: { collection: 'c2' } }).map((h) => h.collection)).toEqual(['c2']);
    expect(store.deleteCollection('c2')).toBe(true);
    expect(store.keywordSearch({ terms: ['share'], k: 5 })).toHaveLength(1);
    expect(store.listDocuments().length).toBe(1);
    expect(() => store.keywordSearch({ terms: ['share'], k: 5, filter: { collection: 'nope' } })).toThrow(/No collection/);
    store.close();
  });

  it('filters by source glob, type and metadata before ranking', () => {
    const store = new SqliteStore({ path: tempDb() });
    store.ensureCollection('c1');
    store.putDocument(doc('/docs/reports/2023/q1.pdf', ['turbine report'], { type: 'pdf', mimeType: 'application/pdf', metadata: { year: 2023, city: 'Shanghai' } }));
    store.putDocument(doc('/docs/notes/q2.md', ['turbine notes'], { type: 'markdown', metadata: { year: 2024 } }));
    const rows = doc('/docs/parts.csv', ['turbine part a', 'turbine part b'], { type: 'csv' });
    rows.chunks[1]!.metadata = { row: 2, ok: true };
    store.putDocument(rows);
    const terms = ['turbin'];
    expect(store.keywordSearch({ terms, k: 10, filter: { source: '**/reports/**' } }).map((h) => h.source)).toEqual(['/docs/reports/2023/q1.pdf']);
    expect(store.keywordSearch({ terms, k: 10, filter: { source: '*.md' } }).map((h) => h.source)).toEqual(['/docs/notes/q2.md']);
    expect(store.keywordSearch({ terms, k: 10, filter: { type: 'pdf' } })).toHaveLength(1);
    expect(store.keywordSearch({ terms, k: 10, filter: { type: 'md' } })).toHaveLength(1);
    expect(store.keywordSearch({ terms, k: 10, filter: { metadata: { year: 2023, city: 'Shanghai' } } })).toHaveLength(1);
    expect(store.keywordSearch({ terms, k: 10, filter: { metadata: { row: 2 } } })[0]!.text).toBe('turbine part b');
    expect(store.keywordSearch({ terms, k: 10, filter: { metadata: { ok: true } } })).toHaveLength(1);
    expect(store.keywordSearch({ terms, k: 10, filter: { metadata: { year: 1999 } } })).toHaveLength(0);
    store.close();
  });

  it('treats FTS syntax in terms as plain text', () => {
    const store = new SqliteStore({ path: tempDb() });
    store.ensureCollection('c1');
    store.putDocument(doc('/a.txt', ['near and or not']));
    expect(() => store.keywordSearch({ terms: ['NEAR', 'AND', '"', '*', 'col:x', '^'], k: 5 })).not.toThrow();
    expect(store.keywordSearch({ terms: [], k: 5 })).toEqual([]);
    store.close();
  });

  it('refuses a file that is not a Lore database, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lore-store-'));
    const text = join(dir, 'notes.db');
    writeFileSync(text, 'this is not sqlite at all, just some text that is long enough to look like a header....');
    expect(() => new SqliteStore({ path: text })).toThrow(/not a Lore database/);
    const other = join(dir, 'other.db');
    const raw = new Database(other);
    raw.exec('CREATE TABLE users (id INTEGER)');
    raw.close();
    try {
      new SqliteStore({ path: other });
      expect.unreachable();
    } catch (error) {
      expect(isLoreError(error, 'NOT_A_LORE_DATABASE')).toBe(true);
      expect(String(error)).toContain(other);
    }
  });

  it('refuses a database from a newer Lore', () => {
    const path = tempDb();
    new SqliteStore({ path }).close();
    const raw = new Database(path);
    raw.prepare("UPDATE lore_meta SET value = '999' WHERE key = 'schema_version'").run();
    raw.close();
    expect(() => new SqliteStore({ path })).toThrow(/newer Lore/);
  });

  it('rejects bad collection names', () => {
    const store = new SqliteStore({ path: ':memory:' });
    expect(() => store.ensureCollection('a b; drop')).toThrow(/not a valid collection name/);
    store.close();
  });
});
