import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../index.js';
import { startScriptedOpenAIServer, type ScriptedOpenAIServer } from '../models/test-support/scripted-openai-server.js';
import { startTestServer, type TestServer } from './test-support/start-test-server.js';
import type { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { asAsyncStore } from '../store/contract/async-store.js';

const EXAMPLES = fileURLToPath(new URL('../../examples', import.meta.url));
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('retrieval steps through the REST API', () => {
  let model: ScriptedOpenAIServer;
  let s: TestServer;
  let plain: TestServer;

  beforeAll(async () => {
    // Rephrases into the manual's own words; otherwise answers citing source 1.
    model = await startScriptedOpenAIServer({
      reply: ({ messages }) => (/search queries/i.test(messages[0]?.content ?? '') ? JSON.stringify({ queries: ['replace the gearbox oil every 18 months'] }) : 'Every 18 months [1].'),
    });
    const setup = async (store: SqliteStore) => {
      await ingest({ store: asAsyncStore(store), paths: [EXAMPLES], collection: 'manuals' });
    };
    s = await startTestServer({ models: [`openai-compatible:${model.baseUrl}#m`], setup });
    plain = await startTestServer({ setup });
  });
  afterAll(async () => {
    await s?.stop();
    await plain?.stop();
    await model?.close();
  });

  it('searches with rerank and context steps', async () => {
    const res = await fetch(`${s.url}/api/search`, json({ query: 'gearbox oil', mode: 'keyword', k: 3, steps: { rerank: 'mmr', context: 'window' } }));
    expect(res.status).toBe(200);
    const { results } = (await res.json()) as { results: Array<{ hits: Array<{ scores: { rerank?: number }; chunkIds?: number[] }> }> };
    expect(results[0]!.hits[0]!.scores.rerank).toBeTypeOf('number');
    expect(results[0]!.hits[0]!.chunkIds?.length).toBeGreaterThan(0);
  });

  it('asks with multi-query through the answer model, and refuses model steps without one', async () => {
    const res = await fetch(`${s.url}/api/ask?format=json`, json({ question: 'how long does the lubricant last?', mode: 'keyword', steps: { multiQuery: 1 } }));
    expect(res.status).toBe(200);
    const { answer } = (await res.json()) as { answer: { text: string; citations: Array<{ source: string }> } };
    expect(answer.citations[0]!.source).toMatch(/wind-turbine-maintenance\.md$/);
    expect(model.requests.some((r) => /search queries/i.test(r.messages[0]?.content ?? ''))).toBe(true);

    const refused = await fetch(`${plain.url}/api/search`, json({ query: 'gearbox', steps: { rerank: 'llm' } }));
    expect(refused.status).toBe(400);
    expect(((await refused.json()) as { error: { message: string } }).error.message).toMatch(/need a model/);
  });
});
