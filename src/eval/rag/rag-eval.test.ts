import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingest } from '../../ingest/ingest.js';
import type { GenerateEvent, GenerateRequest, LanguageModel } from '../../spec/models.js';
import { SqliteStore } from '../../store/sqlite/sqlite-store.js';
import { evaluateRag } from './rag-eval.js';
import { ragRunRecord } from '../runs/run-records.js';
import { asAsyncStore } from '../../store/contract/async-store.js';

const dir = mkdtempSync(join(tmpdir(), 'lore-rag-eval-'));
let store: SqliteStore;

beforeAll(async () => {
  writeFileSync(join(dir, 'gearbox.md'), '# Gearbox\n\nReplace the gearbox oil every 18 months. Check the oil level every month.\n');
  writeFileSync(join(dir, 'blades.md'), '# Blades\n\nInspect the leading edge of each blade twice a year.\n');
  store = new SqliteStore({ path: join(dir, 'lore.db') });
  await ingest({ store: asAsyncStore(store), paths: [dir], collection: 'docs', include: ['*.md'] });
});

afterAll(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** An answer model that writes a fixed answer citing source 1, and fails for questions about blades. */
const writer: LanguageModel = {
  id: 'stub-writer',
  generate() {
    throw new Error('not used');
  },
  async *stream(request: GenerateRequest): AsyncIterable<GenerateEvent> {
    const question = request.messages.at(-1)!.content;
    if (question.includes('blade')) throw new Error('the model server went away');
    yield { type: 'text', delta: 'Replace the gearbox oil every 18 months [1].' };
  },
};

describe('evaluateRag', () => {
  it('records a pipeline failure on its item only, keeps the test set order, and averages the rest', async () => {
    const items = [
      { id: 'oil', question: 'How often is the gearbox oil replaced?', reference: 'Replace the gearbox oil every 18 months.' },
      { id: 'blade', question: 'How often is each blade inspected?', reference: 'Twice a year.' },
      { id: 'nothing', question: 'What colour is the nacelle?' },
    ];
    const e = await evaluateRag({ store: asAsyncStore(store), items, collection: 'docs', mode: 'keyword', k: 3, answerModel: writer, concurrency: 2 });
    expect(e.items.map((i) => i.id)).toEqual(['oil', 'blade', 'nothing']);
    expect(e.answerer).toBe('stub-writer');
    const blade = e.items[1]!;
    expect(blade.error).toMatch(/pipeline failed: the model server went away/);
    for (const r of Object.values(blade.scores)) expect(r).toMatchObject({ status: 'failed' });
    const oil = e.items[0]!;
    expect(oil.scores.faithfulness).toMatchObject({ status: 'scored', score: 1, method: 'lexical' });
    expect(oil.scores.answer_correctness).toMatchObject({ status: 'scored', score: 1 });
    // No reference: correctness and recall do not apply.
    expect(e.items[2]!.scores.answer_correctness).toMatchObject({ status: 'skipped' });
    expect(e.metrics.faithfulness!.failed).toBe(1);
    expect(e.notes.join(' ')).toMatch(/failed .* left out of the means/);
    const { run, items: stored } = ragRunRecord(e, { dataset: 'set.jsonl', config: {} });
    expect(run.metrics['answer_correctness']).toEqual({ mean: 1, scored: 1, failed: 1, skipped: 1 });
    expect(stored[1]!.error).toMatch(/pipeline failed/);
    expect(stored[1]!.scores['faithfulness']).toBeNull();
    expect(stored[2]!.output['skipped']).toMatchObject({ answer_correctness: 'no reference answer' });
  });

  it('runs the pipeline steps it is given and records them: per item the steps that ran, in the run the pipeline', async () => {
    const items = [{ id: 'oil', question: 'How often is the gearbox oil replaced?', reference: 'Replace the gearbox oil every 18 months.' }];
    const plain = await evaluateRag({ store: asAsyncStore(store), items, collection: 'docs', mode: 'keyword', k: 2 });
    expect(plain.pipeline).toBe('none');
    expect(plain.items[0]!.retrieval!.steps).toEqual(['keyword search (2)']);
    // Only the gearbox passage matches: the reranker sees one candidate.
    const stepped = await evaluateRag({ store: asAsyncStore(store), items, collection: 'docs', mode: 'keyword', k: 2, pipeline: { rerank: 'mmr', context: { mode: 'window', window: 1 } } });
    expect(stepped.pipeline).toBe('mmr,window:1');
    expect(stepped.items[0]!.retrieval!.steps).toEqual(['keyword search (50)', 'rerank mmr:0.7 (top 1)', 'context window:1']);
    expect(ragRunRecord(stepped, { dataset: 'set.jsonl', config: { k: 2 } }).run.config).toMatchObject({ k: 2, pipeline: 'mmr,window:1' });
    expect(ragRunRecord(stepped, { dataset: 'set.jsonl', config: {} }).items[0]!.output['retrieval']).toMatchObject({ steps: stepped.items[0]!.retrieval!.steps });
  });
});
