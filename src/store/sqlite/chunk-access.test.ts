import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChunkInput } from '../../spec/store.js';
import { SqliteStore } from './sqlite-store.js';

const TEXT = 'Alpha one. Alpha two.\n\n# Beta\n\nBeta three.';

function chunk(ordinal: number, start: number, end: number, extra: Partial<ChunkInput> = {}): ChunkInput {
  const text = TEXT.slice(start, end);
  return { ordinal, text, start, end, headingPath: [], tokenCount: 2, metadata: {}, contentHash: `h:${text}`, keywordText: text.toLowerCase(), termCount: 2, ...extra };
}

function setup() {
  const store = new SqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'lore-chunks-')), 'c.db') });
  store.ensureCollection('c');
  const doc = store.putDocument({
    collection: 'c',
    source: '/a.md',
    mimeType: 'text/markdown',
    type: 'markdown',
    contentHash: 'a',
    bytes: TEXT.length,
    metadata: {},
    chunks: [chunk(0, 0, 10), chunk(1, 0, 21, { page: 1 }), chunk(2, 23, 43, { headingPath: ['Beta'], metadata: { part: 2 }, page: 2 })],
  });
  return { store, doc };
}

describe('SqliteStore chunk access', () => {
  it('reads a document’s chunks in order, with offsets, pages, heading paths and metadata', () => {
    const { store, doc } = setup();
    const all = store.documentChunks({ documentId: doc.id });
    expect(all.map((c) => c.ordinal)).toEqual([0, 1, 2]);
    for (const c of all) expect(TEXT.slice(c.start, c.end)).toBe(c.text);
    expect(all[2]).toMatchObject({ documentId: doc.id, headingPath: ['Beta'], metadata: { part: 2 }, page: 2, tokenCount: 2 });
    expect(store.documentChunks({ documentId: doc.id, fromOrdinal: 1, toOrdinal: 1 }).map((c) => c.ordinal)).toEqual([1]);
    expect(store.documentChunks({ documentId: doc.id, fromOrdinal: 2 }).map((c) => c.ordinal)).toEqual([2]);
    expect(store.documentChunks({ documentId: doc.id, fromOrdinal: 5, toOrdinal: 9 })).toEqual([]);
    expect(store.documentChunks({ documentId: 999 })).toEqual([]);
  });

  it('reads stored vectors by chunk id and embedder; null for a chunk the embedder cannot represent', () => {
    const { store, doc } = setup();
    const [a, b, c] = store.documentChunks({ documentId: doc.id });
    const v = Float32Array.from([0.6, 0.8]);
    store.putVectors({ collection: 'c', embedder: 'e1', entries: [{ chunkId: a!.chunkId, contentHash: 'x', vector: v }, { chunkId: b!.chunkId, contentHash: 'y', vector: null }] });
    const got = store.chunkVectors({ embedder: 'e1', chunkIds: [a!.chunkId, b!.chunkId, c!.chunkId, a!.chunkId] });
    expect([...got.keys()].sort()).toEqual([a!.chunkId, b!.chunkId].sort());
    expect([...got.get(a!.chunkId)!]).toEqual([...v]);
    expect(got.get(b!.chunkId)).toBeNull();
    expect(store.chunkVectors({ embedder: 'other', chunkIds: [a!.chunkId] }).size).toBe(0);
    expect(store.chunkVectors({ embedder: 'e1', chunkIds: [] }).size).toBe(0);
  });
});
