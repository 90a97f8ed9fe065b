/**
 * Query transforms and LLM reranking benchmark: nDCG@10 of the default hybrid search against multi-query,
 * HyDE and LLM reranking (pointwise and listwise) on Cranfield (English) and CMRC 2018 trial (Chinese).
 *
 * Without a model it runs what needs none: the baseline, and each method driven through the real
 * OpenAI protocol by scripted models on loopback — one correct by construction (it reads the relevance
 * judgments: the ceiling of each method, not a result), and for reranking one that guesses (the floor: what
 * a model with no skill, such as a random-weight GGUF file, does to a good ranking). `--model SPEC` adds a
 * real model (e.g. `--model ollama:qwen2.5:7b`); `--model tiny-gguf` runs the path end to end on the
 * random-weight GGUF model that tests use (noise by design). Writes the "Query transforms" section of
 * docs/benchmarks.md.
 *
 * Run: `npm run build && node --import tsx bench/query-transforms.ts [--model SPEC] [--limit N] [--no-write]`.
 * The stores are kept in the temporary folder (lore-bench-query-transforms-*.db), so a second run does not
 * embed Cranfield again.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelEnvironment } from '../src/cli/commands/model-environment.js';
import { readBeirDataset, type BeirDataset, type BeirDocument } from '../src/eval/beir.js';
import { evaluateRun, type ScoredDoc } from '../src/eval/metrics.js';
import { ingest } from '../src/ingest/ingest.js';
import { createUseLiteEmbedder } from '../src/models/embedders/index.js';
import { createGgufModel } from '../src/models/gguf/index.js';
import { ggufPath, resolveLanguageModel } from '../src/models/resolve-model.js';
import { writeTinyGguf } from '../src/models/test-support/tiny-gguf.js';
import { startScriptedOpenAIServer, type ScriptedRequest } from '../src/models/test-support/scripted-openai-server.js';
import { hydeSearch, multiQuerySearch } from '../src/retrieve/query/index.js';
import { createLlmReranker } from '../src/retrieve/rerank/llm-rerank.js';
import { searchWithNotes } from '../src/retrieve/search.js';
import type { LanguageModel } from '../src/spec/models.js';
import type { SearchHit } from '../src/spec/store.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { writeBenchmarkSection } from './report.js';
import { asAsyncStore } from '../src/store/contract/async-store.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DATASETS_DIR = process.env['LORE_DATASETS'] ?? join(ROOT, '..', 'shared', 'datasets');
const argument = (name: string) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : undefined;
};
const WRITE = !process.argv.includes('--no-write');
const REAL_MODEL = argument('--model');
/** Queries per dataset for the scripted rows (default all). */
const LIMIT = Number(argument('--limit') ?? Infinity);
/** Queries per dataset for a real model, which takes seconds per call: 50 by default (5 for the tiny GGUF). */
const MODEL_LIMIT = Number(argument('--model-limit') ?? (REAL_MODEL === 'tiny-gguf' ? 5 : 50));
/** Chunks retrieved per query (documents are ranked by their best chunk) and chunks the LLM reranker sees. */
const K = 30;
const RERANK_CANDIDATES = 20;

interface Row {
  method: string;
  ndcg10: number;
  msPerQuery: number;
  note: string;
}

/** Documents in rank order from chunk hits (a document ranks by its best chunk). */
function toDocs(hits: SearchHit[]): ScoredDoc[] {
  const seen = new Set<string>();
  const docs: ScoredDoc[] = [];
  for (const hit of hits) {
    const id = String(hit.metadata['id'] ?? hit.source);
    if (seen.has(id)) continue;
    seen.add(id);
    docs.push({ docId: id, score: hit.score });
  }
  return docs;
}

/** A small seeded generator, so the guessing model guesses the same on every run. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The passages of a rerank request, by the id the reranker gave them. */
function passagesOf(request: ScriptedRequest): Array<{ id: number; text: string }> {
  const user = request.messages.find((m) => m.role === 'user')?.content ?? '';
  return [...user.matchAll(/<passage id="(\d+)">\n([\s\S]*?)\n<\/passage>/g)].map((m) => ({ id: Number(m[1]), text: m[2]! }));
}

/** `tiny-gguf` writes the random-weight test model; GGUF models are made here rather than by spec so they can be closed. */
async function loadModel(spec: string): Promise<{ model: LanguageModel; close: () => Promise<void> }> {
  if (spec === 'tiny-gguf' || spec.startsWith('gguf:')) {
    let path = ggufPath(spec.slice('gguf:'.length));
    if (spec === 'tiny-gguf') {
      path = join(mkdtempSync(join(tmpdir(), 'lore-tiny-')), 'tiny.gguf');
      writeTinyGguf({ path });
    }
    const model = createGgufModel({ path });
    return { model, close: () => model.close() };
  }
  return { model: resolveLanguageModel({ spec, ...modelEnvironment() }), close: async () => {} };
}

const sections: string[] = [];
const embedder = createUseLiteEmbedder();
for (const [name, language] of [['cranfield', 'en'], ['cmrc2018-trial', 'zh']] as const) {
  const dir = join(DATASETS_DIR, name);
  const data: BeirDataset = await readBeirDataset({ dir });
  const store = new SqliteStore({ path: join(tmpdir(), `lore-bench-query-transforms-${name}.db`) });
  const started = performance.now();
  await ingest({ store: asAsyncStore(store), paths: [join(dir, 'corpus.jsonl')], collection: name, loaderOptions: { textFields: ['title', 'text'], idField: '_id' }, embedder });
  console.log(`${name}: store ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const queries = data.queries.slice(0, LIMIT);
  const qrels = new Map(queries.map((q) => [q.id, data.qrels.get(q.id)!]));
  const documents = new Map<string, BeirDocument>(data.corpus.map((d) => [d.id, d]));
  const filter = { collection: name };

  // The scripted models read the query being run and the candidates shown from here (queries run one at a time).
  let current: { id: string; hits: SearchHit[] } = { id: '', hits: [] };
  const gainOf = (passage: string) => {
    const head = passage.replace(/ …$/, '').slice(0, 60);
    const hit = current.hits.find((h) => h.text.startsWith(head));
    return hit ? (qrels.get(current.id)?.get(String(hit.metadata['id'])) ?? 0) : 0;
  };
  const best = () => {
    const judged = [...(qrels.get(current.id) ?? [])].filter(([, g]) => g > 0).sort((a, b) => b[1] - a[1]);
    return documents.get(judged[0]?.[0] ?? '');
  };
  const maxGain = Math.max(...[...data.qrels.values()].flatMap((m) => [...m.values()]));
  // Off-topic text, as a model that misreads the question writes: words from a random document.
  const pick = random(11);
  const offTopic = (size: 'short' | 'passage') => {
    const doc = data.corpus[Math.floor(pick() * data.corpus.length)]!;
    if (language === 'zh') return size === 'short' ? doc.text.slice(0, 12) : doc.text.slice(0, 120);
    const words = doc.text.split(/\s+/);
    return size === 'short' ? words.slice(0, 8).join(' ') : words.slice(0, 60).join(' ');
  };
  /** What the scripted rephraser and passage writer get right: everything, one rephrasing in three, or nothing. */
  let skill: 'right' | 'mixed' | 'off-topic' = 'right';
  const oracle = await startScriptedOpenAIServer({
    reply: (request) => {
      const system = request.messages[0]?.content ?? '';
      const doc = best();
      if (system.startsWith('You help a search engine')) {
        // The opening words of the most relevant document: the rephrasing a model that knew the answer would write.
        const opening = doc ? (doc.title || doc.text.slice(0, 30)).split(/\s+/).slice(0, 12).join(' ') : '';
        if (skill === 'mixed') return JSON.stringify({ queries: [opening, offTopic('short'), offTopic('short')] });
        if (skill === 'off-topic') return JSON.stringify({ queries: [offTopic('short'), offTopic('short'), offTopic('short')] });
        return JSON.stringify({ queries: [opening] });
      }
      if (system.startsWith('Write a short passage')) {
        if (skill === 'off-topic') return offTopic('passage');
        if (!doc) return '';
        const body = doc.title && doc.text.startsWith(doc.title) ? doc.text.slice(doc.title.length) : doc.text;
        return language === 'zh' ? body.slice(30, 150) : body.trim().split(/\s+/).slice(0, 60).join(' ');
      }
      const passages = passagesOf(request);
      if (system.startsWith('You judge')) return JSON.stringify({ scores: passages.map((p) => ({ id: p.id, score: Math.round((3 * gainOf(p.text)) / maxGain) })) });
      return JSON.stringify({ ranking: [...passages].sort((a, b) => gainOf(b.text) - gainOf(a.text)).map((p) => p.id) });
    },
  });
  const next = random(7);
  const guesser = await startScriptedOpenAIServer({
    reply: (request) => {
      const passages = passagesOf(request);
      if ((request.messages[0]?.content ?? '').startsWith('You judge')) return JSON.stringify({ scores: passages.map((p) => ({ id: p.id, score: Math.floor(next() * 4) })) });
      return JSON.stringify({ ranking: passages.map((p) => ({ p, r: next() })).sort((a, b) => a.r - b.r).map(({ p }) => p.id) });
    },
  });
  const oracleModel = resolveLanguageModel({ spec: `openai-compatible:${oracle.baseUrl}#oracle`, concurrency: 8 });
  const guessModel = resolveLanguageModel({ spec: `openai-compatible:${guesser.baseUrl}#guess`, concurrency: 8 });

  // The baseline's hits are computed once: the rerankers reorder exactly these.
  const baseline = new Map<string, SearchHit[]>();
  const baselineMs = new Map<string, number>();
  const rows: Row[] = [];
  // Notes the steps gave (a model's unusable reply, a call that failed), counted per query for the table.
  let stepNotes: string[] = [];
  const measure = async (method: string, run: (query: string) => Promise<SearchHit[]>, note = '', subset = queries, into = rows) => {
    const result = new Map<string, ScoredDoc[]>();
    const t0 = performance.now();
    let failures = 0;
    let noted = 0;
    let example = '';
    for (const query of subset) {
      current = { id: query.id, hits: baseline.get(query.id) ?? [] };
      stepNotes = [];
      try {
        result.set(query.id, toDocs(await run(query.text)));
        // Notes the plain search gives too (the English-only embedder stepping aside) are not the step's.
        const relevant = stepNotes.filter((n) => !/does not represent the query's language|searched by keywords|vectors in the searched collections/.test(n));
        if (relevant.length > 0) {
          noted++;
          example ||= relevant[0]!;
        }
      } catch (error) {
        // A real model may time out or refuse; the query then scores 0 and is counted in the note.
        failures++;
        if (failures === 1) console.warn(`${method}: ${(error as Error).message}`);
        result.set(query.id, []);
      }
    }
    const ms = (performance.now() - t0) / subset.length;
    const ndcg10 = evaluateRun({ run: result, qrels: new Map(subset.map((q) => [q.id, qrels.get(q.id)!])), ks: [10], order: 'given' }).mean['ndcg@10'] ?? 0;
    const summary = noted ? `${noted} of ${subset.length} queries noted e.g. “${example.replaceAll('|', '/').slice(0, 90)}”` : '';
    const row = { method, ndcg10, msPerQuery: ms, note: [note, failures ? `${failures} queries failed` : '', summary].filter(Boolean).join('; ') };
    into.push(row);
    console.log(`${name} ${method}: nDCG@10 ${ndcg10.toFixed(3)} (${ms.toFixed(0)} ms/query)`);
  };

  await measure('hybrid search (default; baseline)', async (query) => {
    const t = performance.now();
    const hits = (await searchWithNotes({ store: asAsyncStore(store), query, embedder, k: K, filter })).hits;
    baseline.set(current.id, hits);
    baselineMs.set(current.id, performance.now() - t);
    return hits;
  });
  const fromBaseline = () => baseline.get(current.id) ?? [];
  const withNotes = (r: { hits: SearchHit[]; notes: string[] }) => {
    stepNotes.push(...r.notes);
    return r.hits;
  };
  const rerankWith = (model: LanguageModel, method: 'pointwise' | 'listwise', passageTokens?: number) => {
    const reranker = createLlmReranker({ model, method, candidates: RERANK_CANDIDATES, passageTokens });
    return (query: string) => reranker.rerank({ query, hits: fromBaseline(), onNote: (n) => stepNotes.push(n) });
  };
  const CEILING = 'ceiling: the scripted model reads the relevance judgments';
  const ZH_VECTOR = language === 'zh' ? '; USE-lite is English-only, so by keywords' : '';
  const mq = (count: number, fusionMethod?: 'rrf') => (query: string) =>
    multiQuerySearch({ store: asAsyncStore(store), query, embedder, k: K, filter, model: oracleModel, count, fusionMethod }).then(withNotes);
  const hyde = (passageMode?: 'vector') => (query: string) => hydeSearch({ store: asAsyncStore(store), query, embedder, k: K, filter, model: oracleModel, passageMode }).then(withNotes);
  await measure('multi-query, 1 rephrasing', mq(1), `${CEILING} (the opening words of the most relevant document)`);
  await measure('multi-query, 1 rephrasing, RRF', mq(1, 'rrf'), 'as above, fused by reciprocal rank (k 60) instead of scores');
  skill = 'mixed';
  await measure('multi-query, 3 rephrasings', mq(3), 'one right rephrasing (as above) and two off-topic ones (words of random documents); the question weighs 3');
  await measure('multi-query, 3 rephrasings, RRF', mq(3, 'rrf'), 'as above, fused by reciprocal rank');
  skill = 'off-topic';
  await measure('multi-query, 3 rephrasings', mq(3), 'floor: three off-topic rephrasings; the question weighs 3');
  skill = 'right';
  await measure('HyDE', hyde(), `${CEILING} (60 words of the most relevant document's body); the passage searched as the question is (hybrid)`);
  await measure('HyDE, passage by vector only', hyde('vector'), `as above, the passage on the vector side only (the paper's form)${ZH_VECTOR}`);
  skill = 'off-topic';
  await measure('HyDE', hyde(), 'floor: an off-topic passage (a random document); weights 1:1');
  skill = 'right';
  await measure(`LLM rerank pointwise, top ${RERANK_CANDIDATES}`, rerankWith(oracleModel, 'pointwise'), CEILING);
  await measure(`LLM rerank listwise, top ${RERANK_CANDIDATES}`, rerankWith(oracleModel, 'listwise'), `${CEILING}; window 10, step 5: one pass sorts the top 5 fully`);
  await measure(`LLM rerank pointwise, top ${RERANK_CANDIDATES}`, rerankWith(guessModel, 'pointwise'), 'floor: a scripted model that grades at random');
  await measure(`LLM rerank listwise, top ${RERANK_CANDIDATES}`, rerankWith(guessModel, 'listwise'), 'floor: a scripted model that orders at random');
  await oracle.close();
  await guesser.close();

  const table = (title: string, list: Row[]) =>
    [
      title,
      '',
      '| method | nDCG@10 | ms/query | what drives it |',
      '|---|---|---|---|',
      ...list.map((r) => `| ${r.method} | ${r.ndcg10.toFixed(3)} | ${r.msPerQuery.toFixed(0)} | ${r.note || 'Lore defaults'} |`),
    ].join('\n');
  sections.push(table(`### ${name}: scripted models (${queries.length} of ${data.queries.length} queries)`, rows));

  if (REAL_MODEL) {
    // The model's own table, on the first queries only, with the baseline measured on the same ones.
    const subset = queries.slice(0, MODEL_LIMIT);
    const modelRows: Row[] = [];
    await measure('hybrid search (default; baseline)', async () => fromBaseline(), 'the same queries as the rows below', subset, modelRows);
    modelRows[0]!.msPerQuery = subset.reduce((sum, q) => sum + (baselineMs.get(q.id) ?? 0), 0) / subset.length;
    const { model, close } = await loadModel(REAL_MODEL);
    const label = REAL_MODEL === 'tiny-gguf' ? 'tiny random-weight GGUF: noise by design, shows the path runs' : REAL_MODEL;
    await measure('multi-query, 3 rephrasings', (query) => multiQuerySearch({ store: asAsyncStore(store), query, embedder, k: K, filter, model }).then(withNotes), label, subset, modelRows);
    await measure('HyDE', (query) => hydeSearch({ store: asAsyncStore(store), query, embedder, k: K, filter, model }).then(withNotes), label, subset, modelRows);
    // The tiny model's vocabulary is bytes: 250-token passages (by Lore's estimate) overflow its 4096-token context.
    const passageTokens = REAL_MODEL === 'tiny-gguf' ? 40 : undefined;
    const clipped = passageTokens ? `; passages cut to ${passageTokens} tokens` : '';
    await measure(`LLM rerank pointwise, top ${RERANK_CANDIDATES}`, rerankWith(model, 'pointwise', passageTokens), label + clipped, subset, modelRows);
    await measure(`LLM rerank listwise, top ${RERANK_CANDIDATES}`, rerankWith(model, 'listwise', passageTokens), label + clipped, subset, modelRows);
    await close();
    sections.push(table(`### ${name}: ${REAL_MODEL} (${subset.length} queries)`, modelRows));
  }
  store.close();
}
await embedder.close();

const body = [
  `Run: \`npm run build && node --import tsx bench/query-transforms.ts${REAL_MODEL ? ` --model ${REAL_MODEL}` : ''}\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}.`,
  '',
  'Each method runs through the real OpenAI protocol on loopback (`src/retrieve/query/`, `src/retrieve/rerank/llm-rerank.ts`),',
  'so prompts, structured output, validation and fusion are the ones a real model gets. The baseline is the default hybrid',
  'search (BM25 + RM3 fused with USE-lite at weight 0.1; keyword only for Chinese). Multi-query and HyDE fuse the',
  "question's ranking with the new ones by their normalised scores (rows marked RRF: by reciprocal rank, k 60); the question",
  "weighs as much as all rephrasings together, HyDE's passage as much as the question. The rerankers reorder the baseline's",
  'top 20 chunks. Rows marked ceiling use a scripted model that reads the relevance judgments: they bound what a perfect',
  'model could gain through each method, they are not results. Rows marked floor show what a model without skill does.',
  REAL_MODEL
    ? `The ${REAL_MODEL} tables use the first ${MODEL_LIMIT} queries, the baseline measured on the same ones (\`--model-limit N\`).`
    : 'No real model was available here: add `--model ollama:qwen2.5:7b` (or any spec `lore ask --model` takes) for a table of its own on the first 50 queries (`--model-limit N`).',
  '',
  ...sections.flatMap((s) => [s, '']),
].join('\n');
console.log('\n' + body);
if (WRITE) writeBenchmarkSection({ file: join(ROOT, 'docs', 'benchmarks.md'), section: 'Query transforms and LLM reranking', body });
