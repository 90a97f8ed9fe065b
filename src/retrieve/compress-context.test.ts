import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../spec/store.js';
import { countTokens } from '../text/count-tokens.js';
import { SPAN_SEPARATOR, type ContextHit } from './context-hit.js';
import { compressContext } from './compress-context.js';
import { expandContext } from './expand-context.js';
import { keywordSearch } from './keyword-search.js';
import { fakeEmbedder, putText, tempStore } from './test-support/retrieval-fixtures.js';
import { asAsyncStore } from '../store/contract/async-store.js';

const MANUAL =
  'The turbine was installed in 2009 on the northern ridge. Its tower is eighty metres tall. ' +
  'The gearbox oil must be replaced every eighteen months. Technicians also clean the nacelle. ' +
  'Blade inspections happen each spring. The site office keeps the maintenance records.';

const LOG =
  'In March the crew replaced the gearbox oil ahead of schedule. The weather was calm. ' +
  'A new coffee machine arrived at the site office.';

function hitOf(text: string, chunkId: number, score: number, source = `/${chunkId}.txt`): SearchHit {
  return { chunkId, documentId: chunkId, collection: 'c', source, title: null, mimeType: 'text/plain', ordinal: 0, text, start: 0, end: text.length, page: null, headingPath: [], metadata: {}, score, scores: {} };
}

function expectExactSpans(hits: ContextHit[], docs: Record<string, string>): void {
  for (const h of hits) {
    for (const s of h.spans) expect(s.text).toBe(docs[h.source]!.slice(s.start, s.end));
    expect(h.text).toBe(h.spans.map((s) => s.text).join(SPAN_SEPARATOR));
    expect(h.start).toBe(h.spans[0]!.start);
    expect(h.end).toBe(h.spans[h.spans.length - 1]!.end);
  }
}

describe('compressContext', () => {
  const docs = { '/1.txt': MANUAL, '/2.txt': LOG };
  const hits = [hitOf(MANUAL, 1, 2), hitOf(LOG, 2, 1)];

  it('keeps the sentences that bear on the question, in document order, with exact offsets', async () => {
    const r = await compressContext({ query: 'How often must the gearbox oil be replaced?', hits, maxTokens: 200, minScore: 0.5 });
    expectExactSpans(r.hits, docs);
    expect(r.hits[0]!.text).toBe('The gearbox oil must be replaced every eighteen months.');
    expect(r.hits[1]!.text).toBe('In March the crew replaced the gearbox oil ahead of schedule.');
    expect(r.hits.map((h) => h.chunkId)).toEqual([1, 2]);
    expect(r.tokens).toBeLessThan(r.tokensBefore / 3);
  });

  it('by default the budget decides: sentences of a passage that shares the query’s words come before others', async () => {
    const unrelated = hitOf('Tower bolts are tightened every year. The crane arrives in May.', 3, 0.5);
    const r = await compressContext({ query: 'How often must the gearbox oil be replaced?', hits: [...hits, unrelated], maxTokens: 1000 });
    expect(r.hits.map((h) => h.chunkId)).toEqual([1, 2]);
    expect(r.hits[0]!.text).toBe(MANUAL);
    const tight = await compressContext({ query: 'How often must the gearbox oil be replaced?', hits, maxTokens: 40 });
    expect(tight.hits[0]!.text).toContain('The gearbox oil must be replaced every eighteen months.');
    expect(tight.tokens).toBeLessThanOrEqual(40);
  });

  it('respects the budget for the whole context and keeps the answer sentence first', async () => {
    const answer = 'The gearbox oil must be replaced every eighteen months.';
    const budget = countTokens(answer) + 2;
    const r = await compressContext({ query: 'gearbox oil replaced how often months', hits, maxTokens: budget });
    expect(r.tokens).toBeLessThanOrEqual(budget);
    expect(r.hits.reduce((sum, h) => sum + h.spans.reduce((n, s) => n + countTokens(s.text), 0), 0)).toBe(r.tokens);
    expect(r.hits).toHaveLength(1);
    expect(r.hits[0]!.text).toBe(answer);
    const none = await compressContext({ query: 'gearbox oil', hits, maxTokens: 3 });
    expect(none.hits).toEqual([]);
    expect(none.notes.join()).toMatch(/no sentence fits in 3 tokens/);
  });

  it('joins kept neighbours into one span and separates distant ones', async () => {
    const r = await compressContext({ query: 'turbine installed tower gearbox', hits: [hits[0]!], maxTokens: 500, minScore: 0.5 });
    expectExactSpans(r.hits, docs);
    const spans = r.hits[0]!.spans;
    expect(spans[0]!.text).toBe('The turbine was installed in 2009 on the northern ridge. Its tower is eighty metres tall. The gearbox oil must be replaced every eighteen months.');
    expect(spans).toHaveLength(1);
    const apart = await compressContext({ query: 'turbine installed records', hits: [hits[0]!], maxTokens: 500, minScore: 0.5 });
    expect(apart.hits[0]!.spans).toHaveLength(2);
    expect(apart.hits[0]!.text).toContain(SPAN_SEPARATOR);
  });

  it('compresses expanded contexts piece by piece, offsets still exact in the document', async () => {
    const store = tempStore();
    putText(store, { source: '/1.txt', text: MANUAL, chunkSize: 20, overlap: 5 });
    const found = await keywordSearch({ store: asAsyncStore(store), query: 'gearbox oil replaced', k: 2 });
    const expanded = await expandContext({ store: asAsyncStore(store), hits: found, mode: 'window', window: 2 });
    const r = await compressContext({ query: 'gearbox oil replaced', hits: expanded, maxTokens: 40 });
    expectExactSpans(r.hits, docs);
    expect(r.hits[0]!.text).toContain('The gearbox oil must be replaced every eighteen months.');
    expect(r.hits[0]!.chunkIds).toEqual(expanded[0]!.chunkIds);
  });

  it('Chinese: sentences end at 。, words and bigrams match the question', async () => {
    const zh = '这台风机于二〇〇九年安装在北坡。齿轮油每十八个月更换一次。塔筒高八十米。叶片每年春天检查。';
    const r = await compressContext({ query: '齿轮油多久更换一次？', hits: [hitOf(zh, 7, 1, '/zh.txt')], maxTokens: 16 });
    expectExactSpans(r.hits, { '/zh.txt': zh });
    expect(r.hits[0]!.text).toBe('齿轮油每十八个月更换一次。');
    expect(r.tokens).toBeLessThanOrEqual(16);
    const strict = await compressContext({ query: '齿轮油多久更换一次？', hits: [hitOf(zh, 7, 1, '/zh.txt')], maxTokens: 500, minScore: 0.5 });
    expect(strict.hits[0]!.text).toBe('齿轮油每十八个月更换一次。');
  });

  it('an embedder adds meaning; a query in a language it does not know falls back to shared words', async () => {
    const embedder = fakeEmbedder();
    const r = await compressContext({ query: 'gearbox oil', hits, maxTokens: 200, embedder });
    expect(embedder.calls).toHaveLength(1);
    expect(r.hits[0]!.text).toContain('The gearbox oil must be replaced every eighteen months.');
    const zh = await compressContext({ query: '齿轮油', hits: [hitOf('齿轮油每十八个月更换一次。塔筒高八十米。', 3, 1)], embedder, maxTokens: 15 });
    expect(zh.notes.join()).toMatch(/does not represent the query's language/);
    expect(zh.hits[0]!.text).toBe('齿轮油每十八个月更换一次。');
  });
});
