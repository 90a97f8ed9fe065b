import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChunkInput, KeywordQuery, SearchFilter } from '../../spec/store.js';
import { analyze } from '../../text/analyze.js';
import type { KeywordIndexOptions } from './keyword-index.js';
import { SqliteStore } from './sqlite-store.js';

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

const WORDS = (
  'turbine blade gearbox oil bearing grease yaw pitch rotor tower nacelle generator inverter cable voltage ' +
  'current wind speed storm erosion coating crack fatigue vibration sensor alarm fault repair inspection ' +
  'maintenance schedule contract warranty supplier invoice budget safety helmet harness climb crane lift ' +
  'weather forecast ice heating cooling pump filter valve pressure temperature humidity corrosion salt'
).split(' ');
const CHINESE = ['风力发电机', '齿轮箱', '叶片', '维护', '检查', '故障', '温度'];

/** Zipf-like text: common words repeat (real tf > 1), rare ones make selective queries, some Chinese. */
function text(random: () => number, length: number): string {
  const words: string[] = [];
  for (let i = 0; i < length; i++) {
    const r = random();
    if (r < 0.05) words.push(CHINESE[Math.floor(random() * CHINESE.length)]!);
    else words.push(WORDS[Math.floor(WORDS.length * random() * random())]!);
  }
  return words.join(' ');
}

function chunk(ordinal: number, body: string, metadata = {}): ChunkInput {
  const terms = analyze(body);
  return { ordinal, text: body, start: 0, end: body.length, headingPath: [], tokenCount: terms.length, metadata, contentHash: `h:${body}`, keywordText: terms.join(' '), termCount: terms.length };
}

/** `docs` documents of `perDoc` chunks; every third chunk has `{ flag: true }`, documents alternate markdown/text. */
function fill(store: SqliteStore, collection: string, docs: number, perDoc: number, seed: number, from = 0): void {
  store.ensureCollection(collection);
  const random = rng(seed);
  for (let d = from; d < from + docs; d++) {
    const chunks = Array.from({ length: perDoc }, (_, i) => chunk(i, text(random, 5 + Math.floor(random() * 40)), i % 3 === 0 ? { flag: true } : {}));
    const markdown = d % 2 === 0;
    store.putDocument({ collection, source: `/${collection}/${d % 4 === 0 ? 'manuals' : 'notes'}/d${d}.${markdown ? 'md' : 'txt'}`, mimeType: markdown ? 'text/markdown' : 'text/plain', type: markdown ? 'markdown' : 'text', contentHash: `${collection}${d}`, bytes: 1, metadata: { group: d % 5 }, chunks });
  }
}

const tmp = () => join(mkdtempSync(join(tmpdir(), 'lore-kw-')), 'k.db');
const open = (path: string, options: KeywordIndexOptions | false = { sqlBelow: 1000 }) => new SqliteStore({ path, vectorIndex: false, keywordIndex: options });

const QUERIES: Array<Omit<KeywordQuery, 'k'>> = [
  { terms: analyze('gearbox oil temperature') },
  { terms: analyze('turbine') },
  { terms: analyze('blade erosion coating crack') },
  { terms: analyze('humidity corrosion salt valve') },
  { terms: analyze('风力发电机 齿轮箱 维护') },
  { terms: analyze('yaw bearing grease'), weights: { yaw: 2.5, bear: 0.25, greas: 1 } },
  { terms: ['gearbox', 'oil', 'turbin', 'unknownword'], weights: { gearbox: 0.7, oil: 0.3, turbin: 0 } },
  { terms: ['GearBox-Oil'] },
  { terms: ['nothingmatches'] },
  { terms: ['mail', 'change', '维护'] },
];

const FILTERS: Array<SearchFilter | undefined> = [
  undefined,
  { collection: 'big' },
  { source: '**/manuals/**' },
  { type: 'markdown' },
  { metadata: { flag: true } },
  { metadata: { group: 3 } },
  { collection: 'big', source: '**/notes/**', metadata: { flag: true } },
  { metadata: { group: 42 } },
];

/** Every query × filter × k through both stores: same chunks, same order, same scores. */
function expectSame(indexed: SqliteStore, reference: SqliteStore, ks = [1, 10, 100]): number {
  let compared = 0;
  for (const query of QUERIES) {
    for (const filter of FILTERS) {
      for (const k of ks) {
        const got = indexed.keywordSearch({ ...query, k, filter });
        const want = reference.keywordSearch({ ...query, k, filter });
        expect(got.map((h) => [h.chunkId, h.collection]), JSON.stringify({ query, filter, k, got: got.slice(0, 3).map((h) => [h.chunkId, h.score]), want: want.slice(0, 3).map((h) => [h.chunkId, h.score]) })).toEqual(want.map((h) => [h.chunkId, h.collection]));
        got.forEach((h, i) => expect(h.score).toBeCloseTo(want[i]!.score, 12));
        compared += got.length;
      }
    }
  }
  return compared;
}

describe('the in-memory keyword index', () => {
  it('ranks exactly like the SQL path: filters, weights, Chinese terms, several collections, k', () => {
    const path = tmp();
    const indexed = open(path);
    fill(indexed, 'big', 30, 100, 1); // 3,000 chunks: indexed
    fill(indexed, 'small', 5, 100, 2); // 500 chunks: below the threshold, scored in SQL
    // Stored terms with ASCII punctuation and capitals (not the analyser's output, but FTS5 splits and folds them).
    const odd = { ...chunk(0, 'x'), keywordText: 'Gearbox-Oil OIL.change e-mail 齿轮箱-维护', termCount: 4 };
    indexed.putDocument({ collection: 'big', source: '/odd.txt', mimeType: 'text/plain', type: 'text', contentHash: 'odd', bytes: 1, metadata: {}, chunks: [odd] });
    const reference = open(path, false);
    expect(expectSame(indexed, reference)).toBeGreaterThan(1000);
    expect(indexed.keywordIndexes!.builds).toBe(1);
    // Both passes were compared: single precision with exact rescoring, and double precision (a weight of 0).
    expect(indexed.keywordIndexes!.fastQueries).toBeGreaterThan(80);
    // Scores are the same to the last bit, not only close.
    const [a] = indexed.keywordSearch({ terms: analyze('gearbox oil'), k: 1, filter: { collection: 'big' } });
    const [b] = reference.keywordSearch({ terms: analyze('gearbox oil'), k: 1, filter: { collection: 'big' } });
    expect(a!.score).toBe(b!.score);
    // Other BM25 parameters take effect on the index too.
    const tuned = { terms: analyze('blade crack'), k: 20, bm25: { k1: 0.9, b: 0.3 } };
    expect(indexed.keywordSearch(tuned).map((h) => [h.chunkId, h.score])).toEqual(reference.keywordSearch(tuned).map((h) => [h.chunkId, h.score]));
    expect(indexed.keywordSearch({ ...tuned, bm25: undefined }).map((h) => h.chunkId)).not.toEqual(indexed.keywordSearch(tuned).map((h) => h.chunkId));
    indexed.close();
    reference.close();
  }, 60_000);

  it('stays exact through additions, deletions and replacements without a rebuild, until they outgrow the index', () => {
    const path = tmp();
    const indexed = open(path);
    fill(indexed, 'big', 30, 100, 3);
    const reference = open(path, false);
    expectSame(indexed, reference, [10]);
    expect(indexed.keywordIndexes!.builds).toBe(1);

    fill(indexed, 'big', 2, 100, 4, 30); // two new documents
    expectSame(indexed, reference, [10]);
    expect(indexed.keywordIndexes!.builds).toBe(1);
    expect(indexed.keywordIndexes!.appends).toBe(1);

    // A new chunk that is the best match for a word nobody used before is found at once.
    indexed.putDocument({ collection: 'big', source: '/fresh.md', mimeType: 'text/markdown', type: 'markdown', contentHash: 'f', bytes: 1, metadata: {}, chunks: [chunk(0, 'zeppelin mooring mast')] });
    expect(indexed.keywordSearch({ terms: analyze('zeppelin'), k: 5 }).map((h) => h.source)).toEqual(['/fresh.md']);
    expect(indexed.keywordIndexes!.appends).toBe(2);

    // Replacing the last document gives its new chunk the old one's id (SQLite reuses the largest rowid): the
    // old position is dead, the new chunk appended.
    const last = indexed.findDocument('big', '/fresh.md')!;
    const oldId = indexed.documentChunks({ documentId: last.id })[0]!.chunkId;
    indexed.putDocument({ collection: 'big', source: '/fresh.md', mimeType: 'text/markdown', type: 'markdown', contentHash: 'g', bytes: 1, metadata: {}, chunks: [chunk(0, 'airship hangar')] });
    expect(indexed.documentChunks({ documentId: last.id })[0]!.chunkId).toBe(oldId);
    expect(indexed.keywordSearch({ terms: analyze('zeppelin'), k: 5 })).toEqual([]);
    expect(indexed.keywordSearch({ terms: analyze('airship'), k: 5 }).map((h) => h.chunkId)).toEqual([oldId]);
    expect([indexed.keywordIndexes!.builds, indexed.keywordIndexes!.removalsApplied]).toEqual([1, 1]);
    expectSame(indexed, reference, [10]);

    const victim = indexed.keywordSearch({ terms: analyze('gearbox'), k: 1 })[0]!;
    expect(indexed.deleteDocument(victim.documentId)).toBe(true);
    expect(indexed.keywordSearch({ terms: analyze('gearbox'), k: 100 }).some((h) => h.documentId === victim.documentId)).toBe(false);
    expectSame(indexed, reference, [10]);
    // Replaced in the middle of the collection, through another connection (another process).
    const writer = open(path, false);
    writer.putDocument({ collection: 'big', source: '/big/notes/d3.txt', mimeType: 'text/plain', type: 'text', contentHash: 'new', bytes: 1, metadata: { group: 3 }, chunks: [chunk(0, 'gearbox gearbox oil oil oil'), chunk(1, 'turbine')] });
    fill(writer, 'big', 1, 100, 5, 50);
    writer.close();
    expectSame(indexed, reference, [10]);
    expect([indexed.keywordIndexes!.builds, indexed.keywordIndexes!.removalsApplied]).toEqual([1, 3]);

    // A query between every write of a long upload: small segments, merged after the first, never a rebuild.
    for (let i = 0; i < 12; i++) {
      indexed.putDocument({ collection: 'big', source: `/drip/${i}.md`, mimeType: 'text/markdown', type: 'markdown', contentHash: `drip${i}`, bytes: 1, metadata: {}, chunks: [chunk(0, `gearbox drip${i} oil`)] });
      if (i === 5) indexed.deleteDocument(indexed.findDocument('big', '/drip/2.md')!.id);
      expect(indexed.keywordSearch({ terms: analyze(`drip${i}`), k: 5 }).map((h) => h.source)).toEqual([`/drip/${i}.md`]);
    }
    expectSame(indexed, reference, [10]);
    expect(indexed.keywordIndexes!.tailMerges).toBeGreaterThan(0);
    expect(indexed.keywordIndexes!.builds).toBe(1);

    // Changes past a quarter of the index: rebuilt (and the dead positions gone).
    for (const d of indexed.listDocuments({ collection: 'big' }).slice(0, 6)) indexed.deleteDocument(d.id);
    expectSame(indexed, reference, [10]);
    expect(indexed.keywordIndexes!.builds).toBe(2);
    indexed.close();
    reference.close();
  }, 60_000);

  it('is saved next to the database, loaded by the next process, and rebuilt when missing, corrupt or stale', () => {
    const path = tmp();
    const first = open(path);
    fill(first, 'big', 15, 100, 6);
    const query = { terms: analyze('gearbox oil pump'), k: 10 };
    const expected = first.keywordSearch(query).map((h) => [h.chunkId, h.score]);
    const file = first.keywordIndexes!.filePath(1)!;
    expect(existsSync(file)).toBe(true);
    first.close();

    const second = open(path);
    expect(second.keywordSearch(query).map((h) => [h.chunkId, h.score])).toEqual(expected);
    expect(second.keywordIndexes!.builds).toBe(0);
    // Additions since the file was written: loaded, then the new chunks appended.
    fill(second, 'big', 1, 100, 7, 15);
    second.close();
    const third = open(path);
    const reference = open(path, false);
    expect(third.keywordSearch(query).map((h) => h.chunkId)).toEqual(reference.keywordSearch(query).map((h) => h.chunkId));
    expect([third.keywordIndexes!.builds, third.keywordIndexes!.appends]).toEqual([0, 1]);
    third.close();

    writeFileSync(file, Buffer.from('LOREKW01 but not an index'));
    const corrupt = open(path);
    expect(corrupt.keywordSearch(query).map((h) => h.chunkId)).toEqual(reference.keywordSearch(query).map((h) => h.chunkId));
    expect(corrupt.keywordIndexes!.builds).toBe(1);
    // A removal after the file was written: the next process loads it and applies the removal from the log.
    corrupt.deleteDocument(corrupt.keywordSearch(query)[0]!.documentId);
    corrupt.close();
    const stale = open(path);
    expectSame(stale, reference, [10]);
    expect([stale.keywordIndexes!.builds, stale.keywordIndexes!.removalsApplied]).toEqual([0, 1]);
    // Without the log (the removal is forgotten), the file is older than the database: rebuilt.
    stale.db.exec('DELETE FROM keyword_removed');
    stale.close();
    const unlogged = open(path);
    expectSame(unlogged, reference, [10]);
    expect(unlogged.keywordIndexes!.builds).toBe(1);
    unlogged.deleteCollection('big');
    expect(existsSync(file)).toBe(false);
    expect(unlogged.db.prepare('SELECT count(*) FROM keyword_removed').pluck().get()).toBe(0);
    unlogged.close();
    reference.close();
  }, 60_000);
});
