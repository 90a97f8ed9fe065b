/**
 * The jailbreak-classification set and its USE-lite vectors, shared by bench/train-guard.ts and
 * bench/guard.ts. Embedding 1,598 long prompts takes a minute or two on two cores, so the vectors are
 * cached in tmp/ under the hash of the file and the embedder id: re-running either script is then instant.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCsv } from '../src/ingest/loaders/parse-csv.js';
import { createUseLiteEmbedder } from '../src/models/embedders/index.js';

export const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const DATASETS_DIR = process.env['LORE_DATASETS'] ?? join(ROOT, '..', 'shared', 'datasets');
export const TRAIN_CSV = join(DATASETS_DIR, 'jailbreak-classification', 'train.csv');

export interface LabelledPrompts {
  prompts: string[];
  /** 1 = jailbreak, 0 = benign. */
  labels: number[];
  sha256: string;
}

export function readTrainSet(file = TRAIN_CSV): LabelledPrompts {
  const text = readFileSync(file, 'utf8');
  const { rows } = parseCsv({ text, delimiter: ',' });
  const [header, ...body] = rows;
  const promptAt = header!.indexOf('prompt');
  const typeAt = header!.indexOf('type');
  const prompts: string[] = [];
  const labels: number[] = [];
  for (const row of body) {
    const prompt = row[promptAt];
    const type = row[typeAt];
    if (prompt === undefined || (type !== 'jailbreak' && type !== 'benign')) continue;
    prompts.push(prompt);
    labels.push(type === 'jailbreak' ? 1 : 0);
  }
  return { prompts, labels, sha256: createHash('sha256').update(text).digest('hex') };
}

/** Vectors for `texts`, from tmp/ when this exact list was embedded before. */
export async function embedCached(options: { texts: string[]; name: string }): Promise<Float32Array[]> {
  const embedder = createUseLiteEmbedder();
  const key = createHash('sha256').update(embedder.id).update('\0').update(options.texts.join('\0')).digest('hex').slice(0, 16);
  const dir = join(ROOT, 'tmp');
  const file = join(dir, `${options.name}-${key}.f32`);
  const dims = embedder.dimensions;
  if (existsSync(file)) {
    const bytes = readFileSync(file);
    const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    if (all.length === dims * options.texts.length) {
      await embedder.close();
      return options.texts.map((_, i) => all.slice(i * dims, (i + 1) * dims));
    }
  }
  const started = performance.now();
  let last = 0;
  const vectors = await embedder.embed(options.texts, {
    onProgress: (done, total) => {
      if (done - last >= 200 || done === total) {
        last = done;
        process.stderr.write(`  embedded ${done}/${total} (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
      }
    },
  });
  await embedder.close();
  mkdirSync(dir, { recursive: true });
  const all = new Float32Array(dims * vectors.length);
  vectors.forEach((v, i) => all.set(v, i * dims));
  writeFileSync(file, Buffer.from(all.buffer));
  return vectors;
}

/** Fold of each example for k-fold cross-validation: a seeded shuffle, so every run uses the same folds. */
export function assignFolds(options: { n: number; k: number; seed?: number }): number[] {
  const order = Array.from({ length: options.n }, (_, i) => i);
  let state = options.seed ?? 7;
  const random = () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const folds = new Array<number>(options.n);
  order.forEach((example, position) => (folds[example] = position % options.k));
  return folds;
}
