/**
 * Retrieval benchmark: Lore keyword / vector / hybrid against MiniSearch, Orama, SQLite FTS5, the bundled
 * embedder with brute-force cosine, and reciprocal-rank fusion of the best lexical peer with it, on the
 * BEIR-layout sets in ../shared/datasets. Each system runs in a fresh process. Writes the "Retrieval"
 * section of docs/benchmarks.md. Run: `npm run bench:retrieval` (a few minutes: embedding is the slow part).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBeirDataset, type BeirDataset } from '../src/eval/beir.js';
import { evaluateRun, percentile, type ScoredDoc } from '../src/eval/metrics.js';
import { evaluateRetrieval } from '../src/eval/retrieval-eval.js';
import { createUseLiteEmbedder } from '../src/models/embedders/index.js';
import type { SearchMode } from '../src/retrieve/search.js';
import { SqliteStore } from '../src/store/sqlite/sqlite-store.js';
import { createFts5Peer } from './peers/fts5.js';
import { createFts5TrigramPeer } from './peers/fts5-trigram.js';
import { createLunrPeer } from './peers/lunr.js';
import { createMiniSearchPeer } from './peers/minisearch.js';
import { createOramaPeer } from './peers/orama.js';
import type { KeywordPeer } from './peers/types.js';
import { queryPeer } from './peers/query-peer.js';
import { writeBenchmarkSection } from './report.js';
import { asAsyncStore } from '../src/store/contract/async-store.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DATASETS_DIR = process.env['LORE_DATASETS'] ?? join(ROOT, '..', 'shared', 'datasets');
const CHILD = process.argv[2] === '--child' ? { system: process.argv[3]!, dataset: process.argv[4]! } : undefined;
const DATASETS = !CHILD && process.argv.slice(2).length ? process.argv.slice(2) : ['cranfield', 'cmrc2018-trial'];
const DEPTH = 100;

interface Row {
  system: string;
  ndcg10: number;
  recall100: number;
  indexMs: number;
  p50Ms: number;
  p95Ms: number;
  /** Texts embedded per second, where the system embeds. */
  embedRate?: number;
  note?: string;
}

function score(run: Map<string, ScoredDoc[]>, data: BeirDataset) {
  const { mean } = evaluateRun({ run, qrels: data.qrels, ks: [10, 100], order: 'given' });
  return { ndcg10: mean['ndcg@10'] ?? 0, recall100: mean['recall@100'] ?? 0 };
}

async function runLore(dataset: string, mode: SearchMode): Promise<Row> {
  const tmp = mkdtempSync(join(tmpdir(), 'lore-bench-'));
  const store = new SqliteStore({ path: join(tmp, 'bench.db') });
  const embedder = mode === 'keyword' ? undefined : createUseLiteEmbedder();
  try {
    const r = await evaluateRetrieval({ store: asAsyncStore(store), dir: join(DATASETS_DIR, dataset), collection: 'bench', mode, k: DEPTH, embedder });
    const embedded = r.ingest.embedding?.embedded ?? 0;
    return {
      system: `**Lore ${mode}**`,
      ndcg10: r.metrics['ndcg@10'],
      recall100: r.metrics['recall@100'],
      indexMs: r.indexMs + r.embedMs,
      p50Ms: r.latencyMs.p50,
      p95Ms: r.latencyMs.p95,
      embedRate: r.embedMs > 0 && embedded > 0 ? embedded / (r.embedMs / 1000) : undefined,
      note: [
        r.ingest.embedding ? `${embedded} chunks embedded, ${r.ingest.embedding.skipped} left to keyword search (language)` : '',
        ...r.notes,
      ]
        .filter(Boolean)
        .join('; '),
    };
  } finally {
    await embedder?.close?.();
    store.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function runPeer(data: BeirDataset, peer: KeywordPeer): Promise<{ row: Row; run: Map<string, ScoredDoc[]> }> {
  const started = performance.now();
  await peer.index(data.corpus);
  const indexMs = performance.now() - started;
  const { run, p50Ms, p95Ms } = await queryPeer({ peer, data, depth: DEPTH });
  peer.dispose?.();
  return { row: { system: `${peer.name} ${peer.version}`, ...score(run, data), indexMs, p50Ms, p95Ms }, run };
}

/** What a user would build by hand: embed every document, embed the query, rank by cosine. */
async function runUseBruteForce(data: BeirDataset): Promise<Row[]> {
  const embedder = createUseLiteEmbedder();
  try {
    const started = performance.now();
    const docVectors = await embedder.embed(data.corpus.map((d) => `${d.title}\n${d.text}`));
    const indexMs = performance.now() - started;
    const run = new Map<string, ScoredDoc[]>();
    const latencies: number[] = [];
    for (const q of data.queries) {
      const t = performance.now();
      const [qv] = await embedder.embed([q.text]);
      const scored = docVectors.map((v, i) => {
        let s = 0;
        for (let j = 0; j < v.length; j++) s += v[j]! * qv![j]!;
        return { docId: data.corpus[i]!.id, score: s };
      });
      scored.sort((a, b) => b.score - a.score);
      run.set(q.id, scored.slice(0, DEPTH));
      latencies.push(performance.now() - t);
    }
    const useRow: Row = { system: 'USE-lite brute-force cosine', ...score(run, data), indexMs, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95), embedRate: data.corpus.length / (indexMs / 1000) };
    // RRF (k = 60, equal weights) with the best lexical peer on this dataset, as it is usually done.
    const lexical = await Promise.all([runPeer(data, createLunrPeer()), runPeer(data, createFts5TrigramPeer())]);
    const best = lexical.sort((a, b) => b.row.ndcg10 - a.row.ndcg10)[0]!;
    const fused = new Map<string, ScoredDoc[]>();
    for (const q of data.queries) {
      const scores = new Map<string, number>();
      for (const list of [best.run.get(q.id) ?? [], run.get(q.id) ?? []]) list.forEach((d, rank) => scores.set(d.docId, (scores.get(d.docId) ?? 0) + 1 / (60 + rank + 1)));
      fused.set(q.id, [...scores].map(([docId, score]) => ({ docId, score })).sort((a, b) => b.score - a.score).slice(0, DEPTH));
    }
    const rrfRow: Row = { system: `RRF(${best.row.system}, USE-lite)`, ...score(fused, data), indexMs: indexMs + best.row.indexMs, p50Ms: NaN, p95Ms: NaN };
    return [useRow, rrfRow];
  } finally {
    await embedder.close?.();
  }
}

async function child(system: string, dataset: string): Promise<void> {
  let rows: Row[];
  if (system.startsWith('lore-')) rows = [await runLore(dataset, system.slice(5) as SearchMode)];
  else {
    const data = await readBeirDataset({ dir: join(DATASETS_DIR, dataset) });
    if (system === 'use') rows = await runUseBruteForce(data);
    else {
      const factory = { minisearch: createMiniSearchPeer, orama: createOramaPeer, fts5: () => createFts5Peer(), 'fts5-trigram': createFts5TrigramPeer, lunr: createLunrPeer }[system];
      if (!factory) throw new Error(`unknown system ${system}`);
      rows = [(await runPeer(data, factory())).row];
    }
  }
  process.stdout.write(JSON.stringify(rows));
  process.exit(0);
}

function runIsolated(system: string, dataset: string): Promise<Row[]> {
  return new Promise((resolvePromise, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', system, dataset], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    proc.stdout.on('data', (d) => (out += d));
    proc.on('error', reject);
    proc.on('close', (code) => (code === 0 ? resolvePromise(JSON.parse(out) as Row[]) : reject(new Error(`${system} on ${dataset} exited with ${code}`))));
  });
}

const SYSTEMS = ['lore-keyword', 'lore-vector', 'lore-hybrid', 'lunr', 'minisearch', 'orama', 'fts5', 'fts5-trigram', 'use'];

async function main(): Promise<void> {
  const sections: string[] = [];
  for (const dataset of DATASETS) {
    const rows: Row[] = [];
    for (const system of SYSTEMS) {
      process.stderr.write(`${dataset}: ${system}…\n`);
      rows.push(...(await runIsolated(system, dataset)));
    }
    const f3 = (n: number) => (Number.isFinite(n) ? n.toFixed(3) : '–');
    const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
    const table = [
      '| system | nDCG@10 | Recall@100 | index ms | query p50 ms | query p95 ms | embedded texts/s | notes |',
      '|---|---|---|---|---|---|---|---|',
      ...rows.map((r) => `| ${r.system} | ${f3(r.ndcg10)} | ${f3(r.recall100)} | ${Math.round(r.indexMs)} | ${f1(r.p50Ms)} | ${f1(r.p95Ms)} | ${r.embedRate ? r.embedRate.toFixed(1) : '–'} | ${r.note ?? ''} |`),
    ].join('\n');
    process.stderr.write(table + '\n');
    sections.push(`### ${dataset}\n\n${table}`);
  }
  const intro = [
    `Run: \`npm run bench:retrieval\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}).`,
    '',
    "Lore runs `lore eval retrieval`'s code (JSONL loader, splitter, analyser, SQLite file, the bundled USE-lite embedder on",
    'worker threads); its index time includes embedding. Lore hybrid uses its defaults for both languages: BM25 (k1 1.5,',
    'b 0.75) with RM3 feedback, fused with the vector side by normalised scores at weight 0.1, and the vector side steps',
    'aside when the embedder does not know the language (USE-lite is English-only). The peers index title and text with',
    'their default settings; the USE-lite peer embeds whole documents with the same model. Each system runs in a fresh process.',
  ].join('\n');
  writeBenchmarkSection({ file: join(ROOT, 'docs', 'benchmarks.md'), section: 'Retrieval (keyword, vector, hybrid)', body: [intro, ...sections].join('\n\n') });
  process.stderr.write('wrote docs/benchmarks.md\n');
}

if (CHILD) await child(CHILD.system, CHILD.dataset);
else await main();
