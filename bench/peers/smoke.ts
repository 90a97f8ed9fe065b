/**
 * Smoke run of every keyword peer on the shared BEIR sets: `npx tsx bench/peers/smoke.ts [dataset …]`.
 * Prints nDCG@10, Recall@100, index time and per-query latency p50/p95, scored with Lore's own metrics.
 * Datasets are read in place from ../shared/datasets (override with LORE_DATASETS).
 */
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readBeirDataset, type BeirDataset } from '../../src/eval/beir.js';
import { evaluateRun, percentile, type ScoredDoc } from '../../src/eval/metrics.js';
import { PEER_FACTORIES } from './index.js';
import type { KeywordPeerFactory } from './types.js';

const PROJECT_ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const DATASETS_DIR = process.env.LORE_DATASETS ?? join(PROJECT_ROOT, '..', 'shared', 'datasets');
const DEFAULT_DATASETS = ['cranfield', 'cmrc2018-trial'];
/** Deep enough for Recall@100. */
const DEPTH = 100;

interface PeerResult {
  peer: string;
  version: string;
  ndcg10: number;
  recall100: number;
  indexMs: number;
  p50Ms: number;
  p95Ms: number;
  emptyQueries: number;
}

async function runPeer(options: { factory: KeywordPeerFactory; data: BeirDataset }): Promise<PeerResult> {
  const { data } = options;
  const peer = options.factory();
  const indexStart = performance.now();
  await peer.index(data.corpus);
  const indexMs = performance.now() - indexStart;
  const run = new Map<string, ScoredDoc[]>();
  const latencies: number[] = [];
  let emptyQueries = 0;
  for (const query of data.queries) {
    const start = performance.now();
    const hits = await peer.search(query.text, DEPTH);
    latencies.push(performance.now() - start);
    if (hits.length === 0) emptyQueries++;
    run.set(query.id, hits.map((h) => ({ docId: h.id, score: h.score })));
  }
  peer.dispose?.();
  // `given` order: measure each library's ranking as a user sees it, including its own tie-breaking.
  const { mean } = evaluateRun({ run, qrels: data.qrels, ks: [10, 100], order: 'given' });
  return {
    peer: peer.name,
    version: peer.version,
    ndcg10: mean['ndcg@10'] ?? 0,
    recall100: mean['recall@100'] ?? 0,
    indexMs,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    emptyQueries,
  };
}

function printTable(options: { data: BeirDataset; results: PeerResult[] }): void {
  const { data } = options;
  console.log(`\n${data.name}: ${data.counts.documents} docs, ${data.counts.queries} queries with relevant judgments`);
  console.table(
    options.results.map((r) => ({
      peer: r.peer,
      version: r.version,
      'nDCG@10': r.ndcg10.toFixed(3),
      'Recall@100': r.recall100.toFixed(3),
      'index ms': r.indexMs.toFixed(0),
      'p50 ms': r.p50Ms.toFixed(2),
      'p95 ms': r.p95Ms.toFixed(2),
      'no hits': r.emptyQueries,
    })),
  );
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).length > 0 ? process.argv.slice(2) : DEFAULT_DATASETS;
  for (const name of names) {
    const data = await readBeirDataset({ dir: join(DATASETS_DIR, name) });
    const results: PeerResult[] = [];
    for (const factory of PEER_FACTORIES) results.push(await runPeer({ factory, data }));
    printTable({ data, results });
  }
}

await main();
