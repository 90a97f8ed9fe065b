/**
 * Follow-up condensation benchmark: scripted two-turn conversations built from Cranfield (English) and
 * CMRC 2018 trial (Chinese), whose follow-ups replace their topic with "it"/"它". Reports recall@5 and the
 * share of conversations with a relevant document in the top 5 for the follow-up searched as typed, with
 * Lore's lexical condensation (no model), with a condenser that is correct by construction (the ceiling),
 * and, with `--model SPEC`, with a real model (e.g. `--model ollama:qwen2.5:7b`). Keyword retrieval, so the
 * figures isolate condensation. Writes the "Follow-up condensation" section of docs/benchmarks.md.
 * Run: `npm run bench:condense [-- --model SPEC] [--no-write]`.
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBeirDataset } from '../src/eval/beir.js';
import { evaluateCondensation, type CondensationEvaluation } from '../src/eval/condensation-eval.js';
import { buildFollowUpSet } from '../src/eval/follow-up-set.js';
import { ingest } from '../src/ingest/ingest.js';
import { resolveLanguageModel } from '../src/models/resolve-model.js';
import { startScriptedOpenAIServer } from '../src/models/test-support/scripted-openai-server.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { modelEnvironment } from '../src/cli/commands/model-environment.js';
import { writeBenchmarkSection } from './report.js';
import { asAsyncStore } from '../src/store/contract/async-store.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DATASETS_DIR = process.env['LORE_DATASETS'] ?? join(ROOT, '..', 'shared', 'datasets');
const WRITE = !process.argv.includes('--no-write');
const modelAt = process.argv.indexOf('--model');
const REAL_MODEL = modelAt > 0 ? process.argv[modelAt + 1] : undefined;

const store = new SqliteStore({ path: ':memory:' });
const rows: string[] = [];
for (const [name, language] of [['cranfield', 'en'], ['cmrc2018-trial', 'zh']] as const) {
  const dir = join(DATASETS_DIR, name);
  const conversations = buildFollowUpSet({ dataset: await readBeirDataset({ dir }), language, limit: 1000 });
  await ingest({ store: asAsyncStore(store), paths: [join(dir, 'corpus.jsonl')], collection: language, loaderOptions: { textFields: ['title', 'text'], idField: '_id' } });
  const standalone = new Map(conversations.map((c) => [c.followUp, c.standalone]));
  const oracle = await startScriptedOpenAIServer({ reply: ({ messages }) => standalone.get(/Last question: (.*)\n/.exec(messages.at(-1)?.content ?? '')?.[1] ?? '') ?? '' });
  const runs: Array<[string, CondensationEvaluation]> = [];
  const run = async (label: string, method: 'none' | 'lexical' | 'model', spec?: string) => {
    const model = spec ? resolveLanguageModel({ spec, ...modelEnvironment() }) : undefined;
    const result = await evaluateCondensation({ store: asAsyncStore(store), collection: language, conversations, method, model });
    runs.push([label, result]);
    console.log(`${name} ${label}: recall@5 ${result.recall.toFixed(3)}, hit@5 ${result.hitRate.toFixed(3)}`);
  };
  await run('as typed (no condensation)', 'none');
  await run('lexical (no model, default without one)', 'lexical');
  await run('correct by construction (ceiling)', 'model', `openai-compatible:${oracle.baseUrl}#oracle`);
  if (REAL_MODEL) await run(REAL_MODEL, 'model', REAL_MODEL);
  await oracle.close();
  for (const [label, r] of runs) rows.push(`| ${name} (${r.conversations}) | ${label} | ${r.recall.toFixed(3)} | ${r.hitRate.toFixed(3)} |`);
}
store.close();

const body = [
  'Scripted two-turn conversations (`src/eval/follow-up-set.ts`): English from Cranfield queries whose last',
  'prepositional object becomes "it" ("…aeroelastic models of it?" after "Tell me about heated high speed aircraft."),',
  'Chinese from CMRC 2018 questions whose passage subject becomes "它" ("它分布在哪些地区？" after "介绍一下尤金袋鼠。").',
  'Keyword retrieval, top 5 documents. `npm run bench:condense -- --model SPEC` adds a real model.',
  '',
  '| set (conversations) | follow-up searched | recall@5 | hit@5 |',
  '|---|---|---|---|',
  ...rows,
].join('\n');
console.log('\n' + body);
if (WRITE) writeBenchmarkSection({ file: join(ROOT, 'docs', 'benchmarks.md'), section: 'Follow-up condensation', body });
