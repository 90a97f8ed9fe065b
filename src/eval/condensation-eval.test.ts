import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../ingest/ingest.js';
import { resolveLanguageModel } from '../models/resolve-model.js';
import { startScriptedOpenAIServer, type ScriptedOpenAIServer } from '../models/test-support/scripted-openai-server.js';
import { SqliteStore } from '../store/sqlite/sqlite-store.js';
import { readBeirDataset } from './beir.js';
import { evaluateCondensation } from './condensation-eval.js';
import { buildFollowUpSet, type FollowUpConversation } from './follow-up-set.js';
import { findDatasets } from './test-support/find-datasets.js';
import { asAsyncStore } from '../store/contract/async-store.js';

const DATASETS = findDatasets();
if (!DATASETS) console.warn('condensation-eval.test: ../shared/datasets not found (set LORE_DATASETS): skipped');

describe.skipIf(!DATASETS)('follow-up condensation on scripted conversations (Cranfield and CMRC)', () => {
  const store = new SqliteStore({ path: ':memory:' });
  let server: ScriptedOpenAIServer;
  const sets: Record<'en' | 'zh', FollowUpConversation[]> = { en: [], zh: [] };

  beforeAll(async () => {
    for (const [name, language, collection] of [['cranfield', 'en', 'en'], ['cmrc2018-trial', 'zh', 'zh']] as const) {
      const dir = join(DATASETS!, name);
      sets[language] = buildFollowUpSet({ dataset: await readBeirDataset({ dir }), language, limit: 20 });
      await ingest({ store: asAsyncStore(store), paths: [join(dir, 'corpus.jsonl')], collection, loaderOptions: { textFields: ['title', 'text'], idField: '_id' } });
    }
    // Condenses correctly by construction: answers each follow-up with its scripted standalone form.
    const standalone = new Map([...sets.en, ...sets.zh].map((c) => [c.followUp, c.standalone]));
    server = await startScriptedOpenAIServer({ reply: ({ messages }) => standalone.get(/Last question: (.*)\n/.exec(messages.at(-1)?.content ?? '')?.[1] ?? '') ?? 'unknown' });
  });
  afterAll(async () => {
    await server?.close();
    store.close();
  });

  it('builds follow-ups that need their context, 40 conversations in two languages', async () => {
    expect(sets.en).toHaveLength(20);
    expect(sets.zh).toHaveLength(20);
    for (const c of sets.en) expect(c.followUp).toMatch(/\bit\?$/);
    for (const c of sets.zh) expect(c.followUp).toContain('它');
  });

  it('finds more of the relevant documents with condensation than without', async () => {
    const model = resolveLanguageModel({ spec: `openai-compatible:${server.baseUrl}#oracle` });
    for (const language of ['en', 'zh'] as const) {
      const run = (method: 'none' | 'lexical' | 'model') => evaluateCondensation({ store: asAsyncStore(store), collection: language, conversations: sets[language], method, model });
      const none = await run('none');
      const lexical = await run('lexical');
      const oracle = await run('model');
      expect(oracle.items.every((i, n) => i.searched === sets[language][n]!.standalone)).toBe(true);
      expect(oracle.recall).toBeGreaterThan(none.recall);
      expect(lexical.recall).toBeGreaterThan(none.recall);
    }
  });
});
