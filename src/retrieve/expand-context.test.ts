import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../spec/store.js';
import { countTokens } from '../text/count-tokens.js';
import type { ContextHit } from './context-hit.js';
import { expandContext, joinChunks } from './expand-context.js';
import { keywordSearch } from './keyword-search.js';
import { putText, tempStore } from './test-support/retrieval-fixtures.js';
import { asAsyncStore } from '../store/contract/async-store.js';

const GUIDE = [
  '# Turbine guide',
  '',
  '## Gearbox',
  '',
  'The gearbox turns the slow rotor into fast generator speed. Its oil must be replaced every eighteen months. A filter catches metal particles from the gears. Check the filter at each visit.',
  '',
  'Bearings in the gearbox wear slowly. Vibration sensors report early damage. Engineers read the sensors every week.',
  '',
  '## Blades',
  '',
  'Rain and sand erode the leading edge of the blades. Erosion reduces power output. Repairs use a protective tape.',
].join('\n');

/** Every context is exactly the document's text at its offsets, and so is each of its spans. */
function expectExact(hits: ContextHit[], text: string): void {
  for (const h of hits) {
    expect(h.text).toBe(text.slice(h.start, h.end));
    for (const s of h.spans) expect(s.text).toBe(text.slice(s.start, s.end));
  }
}

function occurrences(haystack: string, needle: string): number {
  return haystack.split(needle).length - 1;
}

describe('expandContext', () => {
  const store = tempStore();
  const guide = putText(store, { source: '/guide.md', text: GUIDE, markdown: true, chunkSize: 20, overlap: 6 });
  const chunks = store.documentChunks({ documentId: guide.id });

  it('test data: small overlapping chunks, two sections', async () => {
    expect(chunks.length).toBeGreaterThanOrEqual(6);
    expect(chunks.some((c, i) => i > 0 && c.start < chunks[i - 1]!.end)).toBe(true);
    expect(new Set(chunks.map((c) => c.headingPath.join('/')))).toEqual(new Set(['Turbine guide/Gearbox', 'Turbine guide/Blades']));
  });

  it('window: neighbouring chunks, overlapping text once, offsets that slice the document exactly', async () => {
    const hits = await keywordSearch({ store: asAsyncStore(store), query: 'oil filter replaced', k: 3 });
    expect(hits.length).toBe(3);
    const out = await expandContext({ store: asAsyncStore(store), hits, mode: 'window', window: 1 });
    expectExact(out, GUIDE);
    // The three hits are neighbours: one context, at the place of the best one, citing all three.
    expect(out).toHaveLength(1);
    expect(out[0]!.chunkId).toBe(hits[0]!.chunkId);
    expect(out[0]!.score).toBe(hits[0]!.score);
    expect(out[0]!.matched.map((m) => m.chunkId)).toEqual(hits.map((h) => h.chunkId));
    // Chunks overlap by design; the context repeats nothing.
    for (const sentence of ['Its oil must be replaced', 'A filter catches metal', 'Check the filter at each visit']) expect(occurrences(out[0]!.text, sentence)).toBe(1);
    const ordinals = chunks.filter((c) => out[0]!.chunkIds.includes(c.chunkId)).map((c) => c.ordinal);
    expect(ordinals).toEqual([...Array(ordinals.length).keys()].map((i) => ordinals[0]! + i));
    expect(out[0]!.headingPath).toEqual(['Turbine guide', 'Gearbox']);
  });

  it('window 0 still merges overlapping hits; distant hits of the same document stay apart', async () => {
    const first = chunks[1]!;
    const second = chunks[2]!;
    const far = chunks[chunks.length - 1]!;
    const asHit = (c: (typeof chunks)[number], score: number): SearchHit => ({ ...c, collection: 'c', source: '/guide.md', title: null, mimeType: 'text/markdown', score, scores: {} });
    const out = await expandContext({ store: asAsyncStore(store), hits: [asHit(far, 3), asHit(first, 2), asHit(second, 1)], mode: 'window', window: 0 });
    expectExact(out, GUIDE);
    expect(out).toHaveLength(2);
    expect(out[0]!.chunkId).toBe(far.chunkId);
    expect(out[0]!.text).toBe(far.text);
    expect(out[1]!).toMatchObject({ start: first.start, end: second.end, chunkIds: [first.chunkId, second.chunkId] });
  });

  it('parent: the section around the hit, within the token budget, never the next section', async () => {
    const [hit] = await keywordSearch({ store: asAsyncStore(store), query: 'vibration sensors', k: 1 });
    const whole = await expandContext({ store: asAsyncStore(store), hits: [hit!], mode: 'parent' });
    expectExact(whole, GUIDE);
    expect(whole[0]!.text).toContain('The gearbox turns');
    expect(whole[0]!.text).toContain('every week.');
    expect(whole[0]!.text).not.toContain('Blades');
    const small = await expandContext({ store: asAsyncStore(store), hits: [hit!], mode: 'parent', maxTokens: 30 });
    expectExact(small, GUIDE);
    expect(countTokens(small[0]!.text)).toBeLessThanOrEqual(30);
    expect(small[0]!.text.length).toBeGreaterThan(hit!.text.length);
    expect(small[0]!.text).toContain(hit!.text);
  });

  it('sentence window: n sentences either side of the chunk, read across chunk boundaries', async () => {
    const hit = (await keywordSearch({ store: asAsyncStore(store), query: 'bearings wear slowly', k: 1 }))[0]!;
    const out = await expandContext({ store: asAsyncStore(store), hits: [hit], mode: 'window', unit: 'sentence', window: 1 });
    expectExact(out, GUIDE);
    expect(out[0]!.start).toBeLessThan(hit.start);
    expect(out[0]!.text).toContain(hit.text);
    const two = await expandContext({ store: asAsyncStore(store), hits: [hit], mode: 'window', unit: 'sentence', window: 2 });
    expect(two[0]!.end - two[0]!.start).toBeGreaterThan(out[0]!.end - out[0]!.start);
  });

  it('fills the white space between chunks that do not overlap, and keeps each span exact', async () => {
    const text = 'First paragraph about pumps. It has two sentences.\n\nSecond paragraph about valves. Valves leak.\n\nThird paragraph about seals.';
    const s = tempStore();
    const doc = putText(s, { source: '/p.txt', text, chunkSize: 12, overlap: 0 });
    const all = s.documentChunks({ documentId: doc.id });
    expect(all.some((c, i) => i > 0 && c.start > all[i - 1]!.end)).toBe(true);
    const hit = (await keywordSearch({ store: asAsyncStore(s), query: 'valves leak', k: 1 }))[0]!;
    const out = await expandContext({ store: asAsyncStore(s), hits: [hit], mode: 'window', window: 5 });
    expect(out[0]!.text).toBe(text);
    expect(out[0]!.spans.length).toBeGreaterThan(1);
    expectExact(out, text);
  });

  it('never joins separate records (JSONL rows) of one file', async () => {
    const records = ['Pump P1 vibrates at high load.', 'Pump P2 leaks oil at the seal.', 'Pump P3 runs quietly.'];
    let text = '';
    const blocks = records.map((r, i) => {
      const start = text.length;
      text += r + '\n';
      return { start, end: start + r.length, metadata: { id: `p${i + 1}` } };
    });
    const s = tempStore();
    putText(s, { source: '/pumps.jsonl', text, blocks, chunkSize: 40, overlap: 0 });
    const hit = (await keywordSearch({ store: asAsyncStore(s), query: 'leaks seal', k: 1 }))[0]!;
    for (const mode of ['window', 'parent'] as const) {
      const out = await expandContext({ store: asAsyncStore(s), hits: [hit], mode, window: 3 });
      expect(out[0]!.text).toBe(records[1]);
      expect(out[0]!.metadata['id']).toBe('p2');
    }
  });

  it('Chinese: windows merge without repeating text; sentences end at 。', async () => {
    const text = '风力发电机的齿轮箱需要定期维护。齿轮油每十八个月更换一次。滤网可以捕获金属颗粒。工程师每周检查振动传感器。叶片前缘会被雨水和沙子侵蚀。';
    const s = tempStore();
    const doc = putText(s, { source: '/zh.txt', text, chunkSize: 14, overlap: 4 });
    const all = s.documentChunks({ documentId: doc.id });
    expect(all.length).toBeGreaterThanOrEqual(3);
    const hits = await keywordSearch({ store: asAsyncStore(s), query: '齿轮油多久更换', k: 3 });
    const out = await expandContext({ store: asAsyncStore(s), hits, mode: 'window', window: 1 });
    expectExact(out, text);
    expect(occurrences(out.map((h) => h.text).join(''), '齿轮油每十八个月更换一次')).toBe(1);
    const sentence = await expandContext({ store: asAsyncStore(s), hits: hits.slice(0, 1), mode: 'window', unit: 'sentence', window: 1 });
    expectExact(sentence, text);
    expect(sentence[0]!.text).toContain('齿轮油每十八个月更换一次。');
    expect(sentence[0]!.text.endsWith('。')).toBe(true);
  });

  it('a hit whose chunk has changed since it was retrieved passes through', async () => {
    const hit = (await keywordSearch({ store: asAsyncStore(store), query: 'oil', k: 1 }))[0]!;
    const out = await expandContext({ store: asAsyncStore(store), hits: [{ ...hit, chunkId: -1 }], mode: 'window' });
    expect(out[0]!.text).toBe(hit.text);
    expect(out[0]!.spans).toEqual([{ start: hit.start, end: hit.end, text: hit.text }]);
  });

  it('joinChunks counts overlapping text once', async () => {
    const joined = joinChunks(chunks.slice(0, 3));
    expect(joined.text).toBe(GUIDE.slice(chunks[0]!.start, chunks[2]!.end));
  });
});
