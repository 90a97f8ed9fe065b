import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/ingest.js';
import { resolveLanguageModel } from '../../models/resolve-model.js';
import { startScriptedOpenAIServer, type ScriptedOpenAIServer, type ScriptedRequest } from '../../models/test-support/scripted-openai-server.js';
import { LoreError } from '../../spec/errors.js';
import type { LanguageModel } from '../../spec/models.js';
import type { SearchHit } from '../../spec/store.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { retrieve } from '../pipeline.js';
import { search } from '../search.js';
import { createLlmReranker } from './llm-rerank.js';
import { asAsyncStore } from '../../store/contract/async-store.js';

const EXAMPLES = fileURLToPath(new URL('../../../examples', import.meta.url));

/** The passages of a request, by the id the reranker gave them. */
function passagesOf(request: ScriptedRequest): Array<{ id: number; text: string }> {
  const user = request.messages.find((m) => m.role === 'user')?.content ?? '';
  return [...user.matchAll(/<passage id="(\d+)">\n([\s\S]*?)\n<\/passage>/g)].map((m) => ({ id: Number(m[1]), text: m[2]! }));
}

/** A judge that is right by construction: what answers "how loud" is the passage about decibels (or 叶片 for the Chinese question). */
function grade(text: string, query: string): number {
  if (/叶片/.test(query)) return /## 叶片/.test(text) ? 3 : 0;
  return /decibels/.test(text) ? 3 : /storm/.test(text) ? 1 : 0;
}

function reply(request: ScriptedRequest): string {
  const system = request.messages[0]?.content ?? '';
  const query = /Query: (.*)$/m.exec(request.messages[1]?.content ?? '')?.[1] ?? '';
  const passages = passagesOf(request);
  if (request.model === 'garbage') return 'These passages are all very interesting.';
  // Valid JSON naming no passage that exists, as a random-weight model constrained by a grammar writes.
  if (request.model === 'nonsense') return system.startsWith('You judge') ? JSON.stringify({ scores: [{ id: 42, score: 3 }] }) : JSON.stringify({ ranking: [99, -1, 2.5] });
  if (system.startsWith('You judge')) {
    if (request.model === 'partial') {
      // One good grade, then an id out of range, a grade that is not a number, and an entry with no id.
      return JSON.stringify({ scores: [{ id: passages.at(-1)!.id, score: grade(passages.at(-1)!.text, query) }, { id: 99, score: 3 }, { id: 1, score: 'high' }, { score: 2 }] });
    }
    return JSON.stringify({ scores: passages.map((p) => ({ id: p.id, score: grade(p.text, query) })) });
  }
  if (request.model === 'partial') return JSON.stringify({ ranking: [`[${passages.at(-1)!.id}]`, 0, 'x'] });
  const ranked = [...passages].sort((a, b) => grade(b.text, query) - grade(a.text, query));
  return JSON.stringify({ ranking: ranked.map((p) => p.id) });
}

const label = (h: SearchHit) => h.text.slice(0, 40);

describe('LLM reranking over a real store and a model on loopback', () => {
  let server: ScriptedOpenAIServer;
  let store: SqliteStore;
  let hits: SearchHit[];
  const model = (name: string) => resolveLanguageModel({ spec: `openai-compatible:${server.baseUrl}#${name}` });
  const QUERY = 'How loud is a turbine?';

  beforeAll(async () => {
    server = await startScriptedOpenAIServer({ reply });
    store = new SqliteStore({ path: ':memory:' });
    await ingest({ store: asAsyncStore(store), paths: [EXAMPLES] });
    hits = await search({ store: asAsyncStore(store), query: 'turbine wind blade gearbox yaw oil', mode: 'keyword', k: 20 });
    // The passage that answers is last in the retrieval order, the storm passage fourth.
    expect(hits).toHaveLength(7);
    expect(hits.at(-1)!.text).toMatch(/decibels/);
  });
  afterAll(async () => {
    store.close();
    await server.close();
  });

  it('pointwise: grades 0–3 in batches; ties keep the retrieval order', async () => {
    const before = server.requests.length;
    const usage: number[] = [];
    const reranker = createLlmReranker({ model: model('good'), method: 'pointwise', batchSize: 3, onUsage: (u) => usage.push(u.outputTokens) });
    const reranked = await reranker.rerank({ query: QUERY, hits });
    expect(server.requests.length - before).toBe(3); // 7 passages, 3 per call
    expect(usage).toHaveLength(3);
    expect(reranked.map(label)).toEqual([hits[6], hits[3], hits[0], hits[1], hits[2], hits[4], hits[5]].map((h) => label(h!)));
    expect(reranked.map((h) => h.scores.rerank)).toEqual([3, 1, 0, 0, 0, 0, 0]);
    expect(reranked[0]!.scores.keyword).toBe(hits[6]!.scores.keyword); // what retrieval said is kept
    expect(reranker.id).toMatch(/^llm-pointwise:/);
  });

  it('listwise: a sliding window carries the best passage from the bottom to the top', async () => {
    const before = server.requests.length;
    const reranker = createLlmReranker({ model: model('good'), method: 'listwise', batchSize: 3, step: 2 });
    const reranked = await reranker.rerank({ query: QUERY, hits, k: 5 });
    expect(server.requests.length - before).toBe(3); // windows 5–7, 3–5, 1–3
    expect(reranked).toHaveLength(5);
    expect(label(reranked[0]!)).toBe(label(hits[6]!));
    expect(reranked[0]!.scores.rerank).toBe(1);
    expect(reranked.map((h) => h.score)).toEqual([...reranked.map((h) => h.score)].sort((a, b) => b - a));
  });

  it('listwise in Chinese, in one window', async () => {
    const zh = await search({ store: asAsyncStore(store), query: '风机 齿轮油 叶片 偏航', mode: 'keyword', k: 10 });
    expect(zh[0]!.text).not.toMatch(/## 叶片/);
    const reranked = await createLlmReranker({ model: model('good'), method: 'listwise' }).rerank({ query: '叶片多久检查一次？', hits: zh });
    expect(reranked[0]!.text).toMatch(/## 叶片/);
    expect(reranked).toHaveLength(zh.length);
  });

  it('garbage from the model loses no hit: the retrieval order stands, with a note', async () => {
    for (const method of ['pointwise', 'listwise'] as const) {
      const notes: string[] = [];
      const reranked = await createLlmReranker({ model: model('garbage'), method, batchSize: 4 }).rerank({ query: QUERY, hits, onNote: (n) => notes.push(n) });
      expect(reranked.map((h) => h.chunkId)).toEqual(hits.map((h) => h.chunkId));
      expect(notes[0]).toMatch(/calls failed \(no usable reply\)/);
    }
  });

  it('partial output: what the model ranked goes first, the rest keep their retrieval order', async () => {
    const notes: string[] = [];
    const pointwise = await createLlmReranker({ model: model('partial'), method: 'pointwise', batchSize: 10 }).rerank({ query: QUERY, hits, onNote: (n) => notes.push(n) });
    expect(pointwise.map((h) => h.chunkId)).toEqual([hits[6]!, ...hits.slice(0, 6)].map((h) => h.chunkId));
    expect(notes[0]).toMatch(/6 passage\(s\) left ungraded/);
    const listwise = await createLlmReranker({ model: model('partial'), method: 'listwise', batchSize: 10 }).rerank({ query: QUERY, hits });
    expect(listwise.map((h) => h.chunkId)).toEqual([hits[6]!, ...hits.slice(0, 6)].map((h) => h.chunkId));
    for (const method of ['pointwise', 'listwise'] as const) {
      const said: string[] = [];
      const same = await createLlmReranker({ model: model('nonsense'), method }).rerank({ query: QUERY, hits, onNote: (n) => said.push(n) });
      expect(same.map((h) => h.chunkId)).toEqual(hits.map((h) => h.chunkId));
      expect(said[0]).toMatch(method === 'pointwise' ? /7 passage\(s\) left ungraded/ : /1 of 1 rankings named no passage/);
    }
  });

  it('a call the model refuses keeps its passages in place; a model that refuses every call is an error', async () => {
    const good = model('good');
    // Refuses any prompt holding the storm passage, as a model does a prompt over its context.
    const picky: LanguageModel = {
      id: 'picky',
      generate: (request) => {
        if (request.messages.some((m) => m.content.includes('storm'))) return Promise.reject(new LoreError({ code: 'INVALID_ARGUMENT', message: 'The prompt is too long' }));
        return good.generate(request);
      },
      stream: (request) => good.stream(request),
    };
    const notes: string[] = [];
    const reranked = await createLlmReranker({ model: picky, method: 'pointwise', batchSize: 4 }).rerank({ query: QUERY, hits, onNote: (n) => notes.push(n) });
    expect(reranked.map((h) => h.chunkId)).toEqual([hits[6]!, hits[4]!, hits[5]!, hits[0]!, hits[1]!, hits[2]!, hits[3]!].map((h) => h.chunkId));
    expect(notes[0]).toMatch(/1 of 2 calls failed \(The prompt is too long\)/);
    const refusing: LanguageModel = { id: 'refusing', generate: () => Promise.reject(new LoreError({ code: 'PROVIDER_ERROR', message: 'connection refused' })), stream: good.stream };
    for (const method of ['pointwise', 'listwise'] as const) {
      await expect(createLlmReranker({ model: refusing, method, batchSize: 3 }).rerank({ query: QUERY, hits })).rejects.toThrow(/connection refused/);
    }
  });

  it('only the first candidates go to the model; the others follow untouched', async () => {
    const before = server.requests.length;
    const reranked = await createLlmReranker({ model: model('good'), method: 'pointwise', candidates: 4 }).rerank({ query: QUERY, hits });
    expect(server.requests.length - before).toBe(1);
    expect(passagesOf(server.requests.at(-1)!)).toHaveLength(4);
    expect(reranked.map((h) => h.chunkId)).toEqual([hits[3]!, hits[0]!, hits[1]!, hits[2]!, hits[4]!, hits[5]!, hits[6]!].map((h) => h.chunkId));
  });

  it('plugs into the retrieval pipeline as a Reranker', async () => {
    const result = await retrieve({ store: asAsyncStore(store), query: 'turbine wind blade gearbox yaw oil', mode: 'keyword', k: 3, rerank: createLlmReranker({ model: model('good') }) });
    expect(result.steps.some((s) => s.includes('llm-pointwise:'))).toBe(true);
    expect(result.hits).toHaveLength(3);
  });
});
