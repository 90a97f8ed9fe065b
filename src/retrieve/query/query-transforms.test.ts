import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/ingest.js';
import { createUseLiteEmbedder, type UseLiteEmbedder } from '../../models/embedders/index.js';
import { resolveLanguageModel } from '../../models/resolve-model.js';
import { startScriptedOpenAIServer, type ScriptedOpenAIServer, type ScriptedRequest } from '../../models/test-support/scripted-openai-server.js';
import type { LanguageModel } from '../../spec/models.js';
import type { SearchHit } from '../../spec/store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { searchWithNotes } from '../search.js';
import { expandedSearch, hydeSearch, multiQuerySearch, rephraseQuestion } from './index.js';
import { asAsyncStore } from '../../store/contract/async-store.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples', import.meta.url));

/** What the scripted model writes, by question: rephrasings (JSON) and hypothetical passages (text). */
const REPHRASINGS: Record<string, string> = {
  // Only the rephrasings use the maintenance guide's words ("gearbox", "oil", "replace").
  'How often must the lubricant in the transmission be changed?': JSON.stringify({
    queries: ['How often should the gearbox oil be replaced?', 'how often should the GEARBOX oil be replaced', '齿轮油多久更换一次', 'gearbox oil replacement interval'],
  }),
  // A Chinese rephrasing in the manual's words, one mostly a part number (kept: it has Chinese), one English
  // (left out: another language), one empty.
  '传动装置的机油多久换？': JSON.stringify({ queries: ['齿轮油多久更换一次？', 'How often is the gear oil changed?', '', 'GB-OIL-320 齿轮油'] }),
  'garbage please': 'Sure! Here are some queries: first, second.',
};
const PASSAGES: Record<string, string> = {
  'What noise level should neighbours expect?': 'A modern wind turbine heard from a few hundred metres away is about as loud as a quiet office, roughly 40 decibels.',
  '传动装置的机油多久换？': '齿轮箱的齿轮油一般每十八个月更换一次，平时每个月检查一次油位。',
};

function reply(request: ScriptedRequest): string {
  const system = request.messages[0]?.content ?? '';
  const question = /Question: (.*)$/m.exec(request.messages[1]?.content ?? '')?.[1] ?? '';
  if (system.startsWith('You help a search engine')) return REPHRASINGS[question] ?? JSON.stringify({ queries: [] });
  if (system.startsWith('Write a short passage')) return PASSAGES[question] ?? '';
  return '';
}

const name = (h: SearchHit) => `${h.source.split('/').pop()}${h.headingPath.length ? ` › ${h.headingPath.at(-1)}` : ''}`;

describe('query transforms over a real store and a model on loopback', () => {
  let server: ScriptedOpenAIServer;
  let store: SqliteStore;
  let embedder: UseLiteEmbedder;
  let model: LanguageModel;

  beforeAll(async () => {
    server = await startScriptedOpenAIServer({ reply });
    model = resolveLanguageModel({ spec: `openai-compatible:${server.baseUrl}#scripted` });
    embedder = createUseLiteEmbedder({ workers: 0 });
    store = new SqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'lore-query-')), 'lore.db') });
    await ingest({ store: asAsyncStore(store), paths: [EXAMPLES], embedder });
  });
  afterAll(async () => {
    store.close();
    await embedder.close();
    await server.close();
  });

  it('multi-query finds the passage the original wording misses', async () => {
    const question = 'How often must the lubricant in the transmission be changed?';
    const plain = await searchWithNotes({ store: asAsyncStore(store), query: question, mode: 'keyword', k: 5 });
    expect(plain.hits.map(name)).not.toContain('wind-turbine-maintenance.md › Gearbox');

    const result = await multiQuerySearch({ store: asAsyncStore(store), query: question, mode: 'keyword', k: 5, model });
    expect(name(result.hits[0]!)).toBe('wind-turbine-maintenance.md › Gearbox');
    // The original is kept first; the case-and-punctuation duplicate and the Chinese rephrasing are dropped.
    expect(result.queries.map((q) => [q.kind, q.text])).toEqual([
      ['original', question],
      ['rephrasing', 'How often should the gearbox oil be replaced?'],
      ['rephrasing', 'gearbox oil replacement interval'],
    ]);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
    // The model was asked in structured-output mode.
    expect(server.requests.at(-1)!.body['response_format']).toMatchObject({ type: 'json_schema' });
  });

  it('multi-query keeps rephrasings in the question’s language only (Chinese)', async () => {
    const question = '传动装置的机油多久换？';
    expect((await searchWithNotes({ store: asAsyncStore(store), query: question, mode: 'keyword', k: 5 })).hits).toEqual([]);
    const rephrased = await rephraseQuestion({ question, model });
    expect(rephrased.queries).toEqual([question, '齿轮油多久更换一次？', 'GB-OIL-320 齿轮油']);
    expect(rephrased.dropped.map((d) => d.why).sort()).toEqual(['empty', 'language']);
    const result = await multiQuerySearch({ store: asAsyncStore(store), query: question, k: 5, model, embedder });
    expect(name(result.hits[0]!)).toMatch(/^风力发电机维护手册\.md/);
    expect(result.notes.join(' ')).toMatch(/another language/);
  });

  it('a model that writes no JSON leaves the plain search, with a note', async () => {
    const plain = await searchWithNotes({ store: asAsyncStore(store), query: 'garbage please', mode: 'keyword', k: 5 });
    const before = server.requests.length;
    const result = await multiQuerySearch({ store: asAsyncStore(store), query: 'garbage please', mode: 'keyword', k: 5, model });
    expect(server.requests.length - before).toBe(3); // the reply and two repair turns
    expect(result.hits).toEqual(plain.hits);
    expect(result.queries).toHaveLength(1);
    expect(result.notes[0]).toMatch(/no usable rephrasings/);
  });

  it('HyDE: the hypothetical passage lifts the right English passage, by its vector alone too', async () => {
    const question = 'What noise level should neighbours expect?';
    // "level" matches the gearbox's "oil level": the plain hybrid search puts that first, the answer fourth.
    const plain = await searchWithNotes({ store: asAsyncStore(store), query: question, embedder, k: 5 });
    expect(plain.hits.map(name).indexOf('faq.html › How loud is a wind turbine?')).toBe(3);

    // 1:1, the question's confident wrong answer and the passage's right one come out level: the answer rises
    // to the top two. Weighted towards the passage, it comes first.
    const result = await hydeSearch({ store: asAsyncStore(store), query: question, embedder, k: 5, model });
    expect(result.passage).toBe(PASSAGES[question]);
    expect(result.hits.slice(0, 2).map(name)).toContain('faq.html › How loud is a wind turbine?');
    expect(result.queries.map((q) => [q.kind, q.mode, q.weight])).toEqual([
      ['original', 'hybrid', 1],
      ['hypothetical', 'hybrid', 1],
    ]);
    const weighted = await hydeSearch({ store: asAsyncStore(store), query: question, embedder, k: 5, model, passageWeight: 2, originalWeight: 1 });
    expect(name(weighted.hits[0]!)).toBe('faq.html › How loud is a wind turbine?');
    // The paper's form: the passage on the vector side only (its cosines min–max scaled before fusion).
    const byVector = await hydeSearch({ store: asAsyncStore(store), query: question, embedder, k: 5, model, passageMode: 'vector', passageWeight: 2, originalWeight: 1 });
    expect(byVector.queries[1]).toMatchObject({ kind: 'hypothetical', mode: 'vector' });
    expect(name(byVector.hits[0]!)).toBe('faq.html › How loud is a wind turbine?');
  });

  it('HyDE in Chinese: the English-only embedder steps aside and the passage is searched by its words', async () => {
    const question = '传动装置的机油多久换？';
    const result = await hydeSearch({ store: asAsyncStore(store), query: question, embedder, k: 3, model });
    expect(result.notes.join(' ')).toMatch(/does not represent the query's language/);
    expect(name(result.hits[0]!)).toMatch(/^风力发电机维护手册\.md/);
    const asked = await hydeSearch({ store: asAsyncStore(store), query: question, embedder, k: 3, model, passageMode: 'vector' });
    expect(asked.queries[1]).toMatchObject({ kind: 'hypothetical', mode: 'keyword' });
    expect(asked.notes.join(' ')).toMatch(/does not represent the hypothetical text's language/);
    expect(name(asked.hits[0]!)).toMatch(/^风力发电机维护手册\.md/);
  });

  it('expandedSearch combines both transforms, and without a model is the plain search', async () => {
    const question = 'What noise level should neighbours expect?';
    const both = await expandedSearch({ store: asAsyncStore(store), query: question, embedder, k: 5, model, multiQuery: 2, hyde: true, weights: { original: 1, hypothetical: 2 } });
    expect(both.queries.map((q) => q.kind)).toEqual(['original', 'hypothetical']); // no rephrasings scripted for it
    const mixed = await expandedSearch({ store: asAsyncStore(store), query: 'How often must the lubricant in the transmission be changed?', embedder, k: 5, model, multiQuery: 2, hyde: true });
    // Two rephrasings (the count asked for) and no passage scripted: the question weighs as much as both.
    expect(mixed.queries.map((q) => [q.kind, q.weight])).toEqual([
      ['original', 2],
      ['rephrasing', 1],
      ['rephrasing', 1],
    ]);
    expect(name(both.hits[0]!)).toBe('faq.html › How loud is a wind turbine?');

    const plain = await searchWithNotes({ store: asAsyncStore(store), query: question, embedder, k: 5 });
    const none = await expandedSearch({ store: asAsyncStore(store), query: question, embedder, k: 5, hyde: true });
    expect(none.hits).toEqual(plain.hits);
    expect(none.notes).toContain('no model: query transforms skipped');
  });
});
