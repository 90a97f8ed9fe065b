import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { EmbeddingModel } from '../spec/models.js';
import type { Store } from '../spec/store.js';
import { isLoreError, LoreError, type ErrorCode } from '../spec/errors.js';
import { checkEmbedder, databaseError, formatBytes, ingestBytes, ingestSettingsKey } from '../ingest/ingest.js';
import { embedDocument } from '../ingest/embed-document.js';
import { sha256 } from '../ingest/chunk-work.js';
import type { ChunkPool } from '../ingest/chunk-pool.js';
import type { IngestJobData, IngestJobResult } from './ingest-job.js';
import { jobFailureReason } from './job-failure.js';
import { INGEST_QUEUE_NAME, connectRedis, parseRedisUrl } from './redis-connection.js';

export const DEFAULT_LOCK_DURATION = 30_000;
/** A job whose worker died this many times more fails ("stalled more than allowable limit"): a file that kills workers. */
export const DEFAULT_MAX_STALLED = 2;

export interface IngestWorkerOptions {
  /** redis://host:port/db */
  queue: string;
  store: Store;
  /** Embeds each document's chunks after writing it; none: keyword search only. */
  embedder?: EmbeddingModel;
  /** Jobs processed at once by this process (default 1). */
  concurrency?: number;
  /**
   * Milliseconds a job stays locked without renewal (renewed at half of it while the worker lives). When a
   * worker dies, its jobs go back to the queue after about this long plus a stalled check, also this long.
   */
  lockDuration?: number;
  maxStalledCount?: number;
  /** Stored on each job it processes (default: host and pid). */
  name?: string;
  pool?: ChunkPool;
  guard?: boolean;
  /**
   * Tests only: wait this long before writing each document and again after writing it, before the job is
   * acknowledged, so that a test can kill a worker at either point deterministically.
   */
  delayMs?: number;
  onEvent?: (event: IngestWorkerEvent) => void;
}

export type IngestWorkerEvent =
  | { type: 'active'; jobId: string; source: string; attempt: number }
  | { type: 'written'; jobId: string; source: string; outcome: IngestJobResult['outcome']; chunks: number; vectors: number }
  | { type: 'completed'; jobId: string; source: string; result: IngestJobResult }
  | { type: 'failed'; jobId: string; source: string; code: ErrorCode; message: string; willRetry: boolean }
  | { type: 'stalled'; jobId: string }
  | { type: 'error'; message: string };

export interface IngestWorker {
  /** Stops taking jobs; waits for the running ones to finish unless `force` (they return to the queue when their lock expires). */
  close(options?: { force?: boolean }): Promise<void>;
}

/** Error codes that mean "this file cannot be ingested": trying again would fail the same way. */
const PERMANENT: ReadonlySet<ErrorCode> = new Set([
  'INVALID_ARGUMENT',
  'UNSUPPORTED_FORMAT',
  'CORRUPT_FILE',
  'ENCRYPTED_FILE',
  'FILE_TOO_LARGE',
  'EMPTY_FILE',
  'BINARY_FILE',
  'ENCODING_ERROR',
  'PARSE_ERROR',
]);

/**
 * `lore worker`: takes ingestion jobs from the queue and writes each file as one document into the store.
 * Delivery is at least once (a job whose worker dies is handed to another), so every step is idempotent: the
 * document is replaced by (collection, source) in one transaction, an unchanged one is skipped by content
 * hash, and only its chunks still lacking a vector are embedded.
 */
export async function startIngestWorker(options: IngestWorkerOptions): Promise<IngestWorker> {
  // Fail now, with a clear message, rather than reconnect forever in the background.
  (await connectRedis(options.queue)).disconnect();
  const emit = (event: IngestWorkerEvent) => options.onEvent?.(event);
  const lockDuration = options.lockDuration ?? DEFAULT_LOCK_DURATION;

  const processJob = async (job: Job<IngestJobData, IngestJobResult>): Promise<IngestJobResult> => {
    const data = job.data;
    const jobId = job.id ?? '?';
    emit({ type: 'active', jobId, source: data?.source ?? '?', attempt: job.attemptsMade + 1 });
    try {
      if (data?.v !== 1) {
        throw new LoreError({
          code: 'INVALID_ARGUMENT',
          message: `Job ${jobId} has a shape this worker does not know (version ${String(data?.v)})`,
          hint: 'run the same Lore version for `lore ingest --queue` and `lore worker`',
        });
      }
      const bytes = await jobBytes(data);
      await ensureCollection(options.store, data.collection, { chunkSize: data.chunkSize, overlap: data.overlap });
      if (options.embedder) {
        const info = await options.store.getCollection(data.collection);
        await checkEmbedder({ store: options.store, collection: data.collection, settings: info?.settings ?? {}, embedder: options.embedder });
      }
      if (options.delayMs) await sleep(options.delayMs);
      const outcome = await ingestBytes({
        store: options.store,
        collection: data.collection,
        source: data.source,
        bytes,
        chunkSize: data.chunkSize,
        overlap: data.overlap,
        settingsKey: ingestSettingsKey({ chunkSize: data.chunkSize, overlap: data.overlap, loaderOptions: data.loaderOptions }),
        loaderOptions: data.loaderOptions,
        pool: options.pool,
        guard: options.guard,
      });
      const vectors = options.embedder
        ? (await embedDocument({ store: options.store, collection: data.collection, documentId: outcome.documentId, embedder: options.embedder })).vectors
        : 0;
      const chunks = outcome.kind === 'written' ? outcome.chunks : ((await options.store.getDocument(outcome.documentId))?.chunkCount ?? 0);
      const result: IngestJobResult = {
        outcome: outcome.kind === 'unchanged' ? 'unchanged' : outcome.updated ? 'updated' : 'added',
        documentId: outcome.documentId,
        chunks,
        vectors,
        warnings: outcome.kind === 'written' ? outcome.warnings : [],
      };
      emit({ type: 'written', jobId, source: data.source, outcome: result.outcome, chunks, vectors });
      if (options.delayMs) await sleep(options.delayMs);
      return result;
    } catch (error) {
      const e = asLoreError(error, data?.source ?? jobId);
      const permanent = PERMANENT.has(e.code) || (e.code === 'NOT_FOUND' && !e.retryable);
      emit({ type: 'failed', jobId, source: data?.source ?? '?', code: e.code, message: e.message, willRetry: !permanent && job.attemptsMade + 1 < (job.opts.attempts ?? 1) });
      // Bad input fails at once; anything else (a busy database, a remote embedder's outage) is tried again.
      throw permanent ? new UnrecoverableError(jobFailureReason(e)) : new Error(jobFailureReason(e));
    }
  };

  const worker = new Worker<IngestJobData, IngestJobResult>(INGEST_QUEUE_NAME, processJob, {
    connection: parseRedisUrl(options.queue),
    concurrency: Math.max(1, options.concurrency ?? 1),
    lockDuration,
    stalledInterval: Math.min(30_000, lockDuration),
    maxStalledCount: options.maxStalledCount ?? DEFAULT_MAX_STALLED,
    name: options.name,
  });
  worker.on('error', (error) => emit({ type: 'error', message: error.message }));
  worker.on('stalled', (jobId) => emit({ type: 'stalled', jobId }));
  worker.on('completed', (job, result) => {
    emit({ type: 'completed', jobId: job.id ?? '?', source: job.data.source, result });
    // Redis need not hold the file any longer; a failed or retried job keeps it for the next attempt.
    if (job.data.content !== undefined) {
      const { content: _content, ...rest } = job.data;
      job.updateData(rest).catch(() => {});
    }
  });
  await worker.waitUntilReady();

  return {
    async close({ force = false } = {}) {
      await worker.close(force);
    },
  };
}

async function jobBytes(data: IngestJobData): Promise<Uint8Array> {
  if (data.content !== undefined) {
    const bytes = Buffer.from(data.content, 'base64');
    if (sha256(bytes) !== data.contentHash) {
      throw new LoreError({ code: 'INTERNAL', message: `${data.source}: the bytes in the job do not match their hash`, hint: 'enqueue the file again' });
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  try {
    // Read now, whatever it holds: a file changed since it was enqueued is ingested as it is now.
    return new Uint8Array(await readFile(data.source));
  } catch (cause) {
    throw new LoreError({
      code: 'NOT_FOUND',
      message: `${data.source} (${formatBytes(data.bytes)}) was enqueued by path, being over the inline limit, and this worker cannot read it (${(cause as NodeJS.ErrnoException).code ?? String(cause)})`,
      hint: 'run workers where that path is readable (a shared file system mounted at the same place), or enqueue with a larger --inline-limit',
      subject: data.source,
      // Another worker may see the file.
      retryable: true,
      cause,
    });
  }
}

/** Two workers may create the same collection at once: the second one's insert fails, and the row is there. */
async function ensureCollection(store: Store, name: string, settings: Record<string, unknown>): Promise<void> {
  try {
    await store.ensureCollection(name, settings);
  } catch (error) {
    if (!(await store.getCollection(name))) throw error;
  }
}

function asLoreError(error: unknown, source: string): LoreError {
  if (isLoreError(error)) return error;
  return (
    databaseError(error, source) ??
    new LoreError({ code: 'INTERNAL', message: `${source}: ${(error as Error)?.message ?? String(error)}`, cause: error })
  );
}
