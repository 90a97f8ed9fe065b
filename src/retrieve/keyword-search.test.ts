import { describe, expect, it } from 'vitest';
import type { ChunkInput } from '../spec/store.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { analyze } from '../text/analyze.js';
import { keywordSearch } from './keyword-search.js';
import { asAsyncStore } from '../store/contract/async-store.js';

function put(store: SqliteStore, source: string, text: string): void {
  const terms = analyze(text);
  const chunk: ChunkInput = { ordinal: 0, text, start: 0, end: text.length, headingPath: [], tokenCount: 1, metadata: {}, contentHash: source, keywordText: terms.join(' '), termCount: terms.length };
  store.putDocument({ collection: 'c', source, mimeType: 'text/plain', type: 'text', contentHash: source, bytes: 1, metadata: {}, chunks: [chunk] });
}

describe('keywordSearch', () => {
  const store = new SqliteStore({ path: ':memory:' });
  store.ensureCollection('c');
  put(store, '/a', 'Gearbox oil: replace the gearbox oil and check the lubricant filter every interval.');
  put(store, '/b', 'The gearbox lubricant must be changed at every service interval; lubricant quality matters.');
  put(store, '/c', 'Lubricant change interval: drain the old lubricant at each interval and refill.');
  put(store, '/d', 'Blade erosion from rain and sand reduces power output.');
  put(store, '/e', 'Tower bolts are tightened during the yearly service.');

  it('ranks by BM25 over the shared analyser (stemming, stop words)', async () => {
    const hits = await keywordSearch({ store: asAsyncStore(store), query: 'Replacing the gearbox oils', k: 5 });
    expect(hits[0]!.source).toBe('/a');
    expect(hits.map((h) => h.source)).not.toContain('/c');
  });

  it('with feedback, also finds passages that use other words for the same thing', async () => {
    const hits = await keywordSearch({ store: asAsyncStore(store), query: 'gearbox oil', k: 5, feedback: true });
    expect(hits[0]!.source).toBe('/a');
    expect(hits.map((h) => h.source)).toContain('/c');
    expect(hits.map((h) => h.source)).not.toContain('/d');
  });

  it('feedback with no first results returns nothing', async () => {
    expect(await keywordSearch({ store: asAsyncStore(store), query: 'hydrogen electrolyser', k: 5, feedback: { docs: 3, terms: 5 } })).toEqual([]);
  });

  it('honours BM25 parameters', async () => {
    const a = await keywordSearch({ store: asAsyncStore(store), query: 'lubricant interval', k: 3, bm25: { k1: 0.1, b: 0 } });
    const b = await keywordSearch({ store: asAsyncStore(store), query: 'lubricant interval', k: 3, bm25: { k1: 3, b: 1 } });
    expect(a[0]!.score).not.toBe(b[0]!.score);
  });
});
