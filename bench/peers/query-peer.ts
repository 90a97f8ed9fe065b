import type { BeirDataset } from '../../src/eval/beir.js';
import { percentile, type ScoredDoc } from '../../src/eval/metrics.js';
import type { KeywordPeer } from './types.js';

/** Runs every judged query through an indexed peer: the ranking per query and the latency distribution. */
export async function queryPeer(options: { peer: KeywordPeer; data: BeirDataset; depth: number }): Promise<{ run: Map<string, ScoredDoc[]>; p50Ms: number; p95Ms: number }> {
  const run = new Map<string, ScoredDoc[]>();
  const latencies: number[] = [];
  for (const q of options.data.queries) {
    const started = performance.now();
    const hits = await options.peer.search(q.text, options.depth);
    latencies.push(performance.now() - started);
    run.set(q.id, hits.map((h) => ({ docId: h.id, score: h.score })));
  }
  return { run, p50Ms: percentile(latencies, 50), p95Ms: percentile(latencies, 95) };
}
