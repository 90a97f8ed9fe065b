/**
 * Retrieval steps benchmark: what each result-side technique that needs no generative model does to
 * nDCG@10 / Recall@10 against the plain hybrid search, on the BEIR sets in ../shared/datasets, in one run:
 * fusion weights, MMR at a few λ, the embedding reranker at a few weights, window expansion. On CMRC,
 * whose questions come with gold answer spans, it also measures what the context steps are for: how often
 * the top 5 results' text contains the answer, and at how many tokens (chunks, windows, sections,
 * compression). One SQLite file per dataset holds the index and the embeddings for every variant.
 * Writes the "Retrieval steps" section of docs/benchmarks.md.
 * Run: `npm run build && node --import tsx bench/pipeline.ts` (a few minutes; `--no-write` only prints).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBeirDataset } from '../src/eval/beir.js';
import { evaluateRetrieval, type RetrievalEvaluation } from '../src/eval/retrieval-eval.js';
import { createUseLiteEmbedder } from '../src/models/embedders/index.js';
import type { FusionOptions } from '../src/retrieve/fuse.js';
import { retrieve, type PipelineSteps } from '../src/retrieve/pipeline.js';
import { formatPipeline, parsePipeline } from '../src/retrieve/pipeline-spec.js';
import type { SearchMode } from '../src/retrieve/search.js';
import type { EmbeddingModel } from '../src/spec/models.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { countTokens } from '../src/text/count-tokens.js';
import { writeBenchmarkSection } from './report.js';
import { asAsyncStore } from '../src/store/contract/async-store.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DATASETS_DIR = process.env['LORE_DATASETS'] ?? join(ROOT, '..', 'shared', 'datasets');
const WRITE = !process.argv.includes('--no-write');
const DATASETS = process.argv.slice(2).filter((a) => !a.startsWith('--'));

interface Variant {
  name: string;
  mode?: SearchMode;
  fusion?: FusionOptions;
  pipeline?: PipelineSteps;
}

const VARIANTS: Variant[] = [
  { name: 'hybrid (baseline: fusion weight 0.1)' },
  { name: 'keyword only (BM25, no feedback)', mode: 'keyword' as const },
  ...[0.05, 0.2, 0.3].map((w) => ({ name: `hybrid, fusion weight ${w}`, fusion: { vectorWeight: w } })),
  ...['mmr:0.5', 'mmr:0.7', 'mmr:0.9'].map((p) => ({ name: `+ ${p}`, pipeline: parsePipeline(p) })),
  ...['embedding:0.1', 'embedding:0.3', 'embedding:0.5'].map((p) => ({ name: `+ ${p}`, pipeline: parsePipeline(p) })),
  { name: '+ window:1', pipeline: parsePipeline('window:1') },
];

/** The `lore eval retrieval` flags that reproduce a variant. */
function flagsOf(v: Variant): string {
  return [v.mode ? `--mode ${v.mode}` : '', v.fusion?.vectorWeight !== undefined ? `--vector-weight ${v.fusion.vectorWeight}` : '', v.pipeline ? `--pipeline ${formatPipeline(v.pipeline)}` : ''].filter(Boolean).join(' ') || '(defaults)';
}

interface Row {
  name: string;
  flags: string;
  ndcg10: number;
  recall10: number;
  recall100: number;
  p50Ms: number;
  deltaNdcg: number;
  /** Two-sided paired randomisation test on per-query nDCG@10 against the baseline. */
  p: number;
  notes: string[];
}

/** Paired randomisation test (sign flips of per-query differences), seeded so runs repeat. */
function pairedP(a: number[], b: number[], rounds = 5000): number {
  const diffs = a.map((x, i) => x - b[i]!);
  const observed = Math.abs(diffs.reduce((s, d) => s + d, 0));
  if (observed === 0) return 1;
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let extreme = 0;
  for (let r = 0; r < rounds; r++) {
    let sum = 0;
    for (const d of diffs) sum += rand() < 0.5 ? d : -d;
    if (Math.abs(sum) >= observed - 1e-12) extreme++;
  }
  return (extreme + 1) / (rounds + 1);
}

function perQueryNdcg(r: RetrievalEvaluation): number[] {
  return r.perQuery.map((q) => q.metrics['ndcg@10'] ?? 0);
}

async function rankingRows(dataset: string, store: SqliteStore, embedder: EmbeddingModel): Promise<{ rows: Row[]; indexNote: string }> {
  const dir = join(DATASETS_DIR, dataset);
  const results: Array<{ variant: Variant; result: RetrievalEvaluation }> = [];
  let indexNote = '';
  for (const variant of VARIANTS) {
    process.stderr.write(`${dataset}: ${variant.name}…\n`);
    const result = await evaluateRetrieval({ store: asAsyncStore(store), dir, collection: 'bench', mode: variant.mode ?? 'hybrid', k: 100, embedder, fusion: variant.fusion, pipeline: variant.pipeline });
    if (!indexNote) {
      const e = result.ingest.embedding;
      indexNote = `index ${(result.indexMs / 1000).toFixed(1)} s, embedding ${(result.embedMs / 1000).toFixed(1)} s${e ? ` (${e.embedded} chunks embedded, ${e.skipped} left to keyword search: language)` : ''}`;
    }
    results.push({ variant, result });
  }
  const base = results[0]!.result;
  const baseNdcg = perQueryNdcg(base);
  const rows = results.map(({ variant, result }) => ({
    name: variant.name,
    flags: flagsOf(variant),
    ndcg10: result.metrics['ndcg@10'],
    recall10: result.metrics['recall@10'],
    recall100: result.metrics['recall@100'],
    p50Ms: result.latencyMs.p50,
    deltaNdcg: result.metrics['ndcg@10'] - base.metrics['ndcg@10'],
    p: result === base ? NaN : pairedP(perQueryNdcg(result), baseNdcg),
    notes: result.notes,
  }));
  return { rows, indexNote };
}

interface CoverageRow {
  name: string;
  found: number;
  meanTokens: number;
  meanHits: number;
  p50Ms: number;
}

/** NFKC, white space removed: CMRC answers are Chinese, where spaces carry nothing. */
const normalise = (text: string): string => text.normalize('NFKC').replace(/\s+/g, '');

/** CMRC: does the text handed back for the top 5 hold a gold answer span, and how long is it? */
async function answerCoverage(dataset: string, store: SqliteStore, embedder: EmbeddingModel): Promise<CoverageRow[]> {
  const dir = join(DATASETS_DIR, dataset);
  const data = await readBeirDataset({ dir });
  const answers = new Map<string, string[]>();
  for (const line of readFileSync(join(dir, 'answers.jsonl'), 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const row = JSON.parse(line) as { _id: string; answers: string[] };
    answers.set(row._id, row.answers.map(normalise).filter(Boolean));
  }
  const variants: Array<{ name: string; k: number; steps: string; minScore?: number }> = [
    { name: 'top 5 chunks (baseline)', k: 5, steps: 'none' },
    { name: 'top 7 chunks (as many tokens as window:1)', k: 7, steps: 'none' },
    { name: 'top 2 chunks', k: 2, steps: 'none' },
    { name: 'top 1 chunk', k: 1, steps: 'none' },
    { name: 'top 5, window:1 (neighbouring chunks)', k: 5, steps: 'window:1' },
    { name: 'top 5, parent (section ≤ 1000 tokens)', k: 5, steps: 'parent' },
    { name: 'top 5, compress:400', k: 5, steps: 'compress:400' },
    { name: 'top 5, compress:200', k: 5, steps: 'compress:200' },
    { name: 'top 5, compress:400, min score 0.5 (only sentences with the query’s words)', k: 5, steps: 'compress:400', minScore: 0.5 },
    { name: 'top 5, window:1, compress:400', k: 5, steps: 'window:1,compress:400' },
  ];
  const rows: CoverageRow[] = [];
  for (const v of variants) {
    process.stderr.write(`${dataset}: coverage ${v.name}…\n`);
    let found = 0;
    let tokens = 0;
    let hitsTotal = 0;
    let n = 0;
    const times: number[] = [];
    for (const q of data.queries) {
      const gold = answers.get(q.id);
      if (!gold?.length) continue;
      n++;
      const started = performance.now();
      const steps = parsePipeline(v.steps);
      if (steps.compress && v.minScore !== undefined) steps.compress.minScore = v.minScore;
      const r = await retrieve({ store: asAsyncStore(store), query: q.text, k: v.k, embedder, filter: { collection: 'bench' }, ...steps });
      times.push(performance.now() - started);
      const text = normalise(r.hits.map((h) => h.text).join('\n'));
      if (gold.some((g) => text.includes(g))) found++;
      tokens += r.hits.reduce((sum, h) => sum + countTokens(h.text), 0);
      hitsTotal += r.hits.length;
    }
    times.sort((a, b) => a - b);
    rows.push({ name: v.name, found: found / n, meanTokens: tokens / n, meanHits: hitsTotal / n, p50Ms: times[Math.floor(times.length / 2)] ?? 0 });
  }
  return rows;
}

async function main(): Promise<void> {
  const datasets = DATASETS.length ? DATASETS : ['cranfield', 'cmrc2018-trial'];
  const sections: string[] = [];
  for (const dataset of datasets) {
    const tmp = mkdtempSync(join(tmpdir(), 'lore-bench-steps-'));
    const store = new SqliteStore({ path: join(tmp, 'bench.db') });
    const embedder = createUseLiteEmbedder();
    try {
      const { rows, indexNote } = await rankingRows(dataset, store, embedder);
      const f3 = (x: number) => x.toFixed(3);
      const sign = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(3)}`;
      const table = [
        '| variant | lore eval retrieval flags | nDCG@10 | Δ nDCG@10 | p (paired) | Recall@10 | Recall@100 | query p50 ms |',
        '|---|---|---|---|---|---|---|---|',
        ...rows.map((r) => `| ${r.name} | \`${r.flags}\` | ${f3(r.ndcg10)} | ${Number.isNaN(r.p) ? '–' : sign(r.deltaNdcg)} | ${Number.isNaN(r.p) ? '–' : r.p < 0.001 ? '< 0.001' : r.p.toFixed(3)} | ${f3(r.recall10)} | ${f3(r.recall100)} | ${r.p50Ms.toFixed(1)} |`),
      ].join('\n');
      const notes = [...new Set(rows.flatMap((r) => r.notes))];
      const verdict = (pick: (r: Row) => boolean) => rows.slice(1).filter((r) => !Number.isNaN(r.p) && pick(r)).map((r) => `\`${r.flags}\``);
      const better = verdict((r) => r.p < 0.05 && r.deltaNdcg > 0);
      const worse = verdict((r) => r.p < 0.05 && r.deltaNdcg < 0);
      const summary = `Better than the baseline (p < 0.05): ${better.length ? better.join(', ') : 'none'}. Worse: ${worse.length ? worse.join(', ') : 'none'}. The rest are within noise.`;
      process.stderr.write(`${table}\n`);
      let section = `### ${dataset}\n\n${indexNote}.\n\n${table}\n\n${summary}${notes.length ? `\n\nNotes from the runs: ${notes.map((n) => `“${n}”`).join('; ')}.` : ''}`;
      if (existsSync(join(DATASETS_DIR, dataset, 'answers.jsonl'))) {
        const coverage = await answerCoverage(dataset, store, embedder);
        const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
        const cov = [
          '| context handed back | contains a gold answer | mean tokens | mean passages | query p50 ms |',
          '|---|---|---|---|---|',
          ...coverage.map((c) => `| ${c.name} | ${pct(c.found)} | ${Math.round(c.meanTokens)} | ${c.meanHits.toFixed(2)} | ${c.p50Ms.toFixed(1)} |`),
        ].join('\n');
        process.stderr.write(`${cov}\n`);
        section += `\n\n#### ${dataset}: answer coverage of the context (hybrid search, k = 5)\n\n${cov}`;
      }
      sections.push(section);
    } finally {
      await embedder.close();
      store.close();
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  const intro = [
    `Run: \`npm run build && node --import tsx bench/pipeline.ts\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}).`,
    '',
    "Every variant runs `lore eval retrieval`'s code on one index per dataset (the bundled USE-lite embedder, default",
    'chunking), ranking 100 documents per query from 300 chunks; the flags column reproduces a row.',
    'Rerankers reorder the top 100 chunks. A document ranks by its best chunk, so window expansion can only change',
    'a document-level ranking by merging hits; its purpose shows in the answer-coverage table. p is a two-sided paired',
    'randomisation test (5,000 sign flips) of per-query nDCG@10 against the baseline row. Latencies include the',
    'steps; the machine is shared with other work, so compare them within a table only.',
  ].join('\n');
  const body = [intro, ...sections].join('\n\n');
  if (WRITE) {
    writeBenchmarkSection({ file: join(ROOT, 'docs', 'benchmarks.md'), section: 'Retrieval steps (rerank, context, compression)', body });
    process.stderr.write('wrote docs/benchmarks.md\n');
  } else process.stdout.write(body + '\n');
}

await main();
