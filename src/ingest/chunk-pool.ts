import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TextBlock } from '../spec/document.js';
import type { ChunkInput } from '../spec/store.js';
import { buildChunksHere, type ChunkWork } from './chunk-work.js';
import type { ChunkRequest, ChunkResponse } from './chunk-worker.js';

export interface ChunkPoolOptions {
  /** Worker threads besides the calling thread (default: cores − 1, at most 3). */
  workers?: number;
  /** Documents smaller than this many characters are done on the calling thread. */
  minParallelChars?: number;
}

export interface ChunkPool {
  /** Splits a document and analyses its chunks, using the workers for large documents with blocks. */
  build(work: ChunkWork): Promise<ChunkInput[]>;
  /** Starts the workers ahead of a large job, so their start-up overlaps other work. */
  warm(): void;
  /** Worker threads running now (0 when everything runs on the calling thread). */
  liveWorkers(): number;
  close(): Promise<void>;
}

/** Below this, posting a document to a worker costs more than building it here. */
const MIN_HANDOFF_CHARS = 2_048;

interface PoolWorker {
  worker: Worker;
  pending: Map<number, (response: ChunkResponse | undefined) => void>;
  failed: boolean;
}

/**
 * Splitting and analysis on several threads. Chinese and Japanese word segmentation (ICU's dictionary
 * segmenter) is the most expensive step of indexing, so a large document whose blocks (records, pages)
 * can be split independently is cut into contiguous groups of blocks of about equal length: the calling
 * thread builds one group while the workers build the others. The result is identical to building on one
 * thread. If a worker cannot start or fails, its share is built on the calling thread.
 */
export function createChunkPool(options: ChunkPoolOptions = {}): ChunkPool {
  const size = options.workers ?? Math.max(0, Math.min(3, availableParallelism() - 1));
  const minParallelChars = options.minParallelChars ?? 32_768;
  const workers: PoolWorker[] = [];
  let nextId = 1;

  const start = (): void => {
    if (workers.length > 0 || size === 0) return;
    // Compiled code runs its sibling .js worker. Run from .ts sources (tests, benchmarks), Node 20 cannot
    // load a TypeScript worker, so the compiled copy in dist/ is used when there is one (npm test and the
    // bench scripts build first); without it everything runs on this thread.
    const fromSources = import.meta.url.endsWith('.ts');
    const url = new URL(fromSources ? '../../dist/ingest/chunk-worker.js' : './chunk-worker.js', import.meta.url);
    if (fromSources && !existsSync(fileURLToPath(url))) return;
    for (let i = 0; i < size; i++) {
      // Compiled JavaScript needs no flags; inherited ones (--expose-gc, --input-type) can stop a worker starting.
      const entry: PoolWorker = { worker: new Worker(url, { execArgv: [] }), pending: new Map(), failed: false };
      entry.worker.on('message', (response: ChunkResponse) => {
        entry.pending.get(response.id)?.(response);
        entry.pending.delete(response.id);
        if (entry.pending.size === 0) entry.worker.unref();
      });
      entry.worker.on('error', () => fail(entry));
      entry.worker.on('exit', () => fail(entry));
      // An idle pool must not keep the process alive.
      entry.worker.unref();
      workers.push(entry);
    }
  };

  const fail = (entry: PoolWorker): void => {
    entry.failed = true;
    for (const resolve of entry.pending.values()) resolve(undefined);
    entry.pending.clear();
  };

  const send = async (entry: PoolWorker, work: ChunkWork): Promise<ChunkInput[]> => {
    if (!entry.failed) {
      const id = nextId++;
      const response = await new Promise<ChunkResponse | undefined>((resolve) => {
        entry.pending.set(id, resolve);
        entry.worker.ref();
        entry.worker.postMessage({ id, work } satisfies ChunkRequest);
      });
      if (response && 'chunks' in response) return response.chunks;
    }
    // The worker is gone or failed on this input: do it here, where an error surfaces normally.
    return buildChunksHere(work);
  };

  return {
    async build(work) {
      const blocks = work.doc.blocks ?? [];
      if (size === 0 || blocks.length < 2 || work.doc.text.length < minParallelChars) {
        // Many documents at once (a folder): while this thread builds one, an idle worker takes another.
        const idle = workers.find((w) => !w.failed && w.pending.size === 0);
        return idle && work.doc.text.length >= MIN_HANDOFF_CHARS ? send(idle, work) : buildChunksHere(work);
      }
      start();
      const live = workers.filter((w) => !w.failed);
      if (live.length === 0) return buildChunksHere(work);
      const groups = groupBlocks([...blocks].sort((a, b) => a.start - b.start), live.length + 1);
      const [mine, ...theirs] = groups;
      // Posting is asynchronous: the workers start on their groups while this thread builds the first.
      const remote = theirs.map((group, i) => send(live[i]!, { ...work, doc: { ...work.doc, blocks: group } }));
      const local = buildChunksHere({ ...work, doc: { ...work.doc, blocks: mine ?? [] } });
      const all = [...local, ...(await Promise.all(remote)).flat()];
      return all.map((chunk, ordinal) => ({ ...chunk, ordinal }));
    },
    warm() {
      start();
    },
    liveWorkers() {
      return workers.filter((w) => !w.failed).length;
    },
    async close() {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      workers.length = 0;
    },
  };
}

/** Contiguous groups of blocks with about equal text length. */
function groupBlocks(blocks: TextBlock[], count: number): TextBlock[][] {
  const total = blocks.reduce((n, b) => n + (b.end - b.start), 0);
  const groups: TextBlock[][] = [];
  let current: TextBlock[] = [];
  let length = 0;
  for (const block of blocks) {
    current.push(block);
    length += block.end - block.start;
    if (length >= total / count && groups.length < count - 1) {
      groups.push(current);
      current = [];
      length = 0;
    }
  }
  groups.push(current);
  return groups;
}

let shared: ChunkPool | undefined;

/** The process-wide pool, created on first use. */
export function sharedChunkPool(): ChunkPool {
  shared ??= createChunkPool();
  return shared;
}
