import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import type { LoaderOptions } from '../spec/document.js';
import { isLoreError, LoreError } from '../spec/errors.js';
import { DEFAULT_COLLECTION, DEFAULT_MAX_FILE_SIZE, formatBytes, validateSizes, type IngestFailure } from '../ingest/ingest.js';
import { sha256 } from '../ingest/chunk-work.js';
import { walkFiles } from '../ingest/walk-files.js';
import { DEFAULT_SPLIT_OPTIONS } from '../ingest/split/split-options.js';
import { BATCH_TTL_SECONDS, JOB_RETENTION, batchKeys, newBatchId } from './batch-keys.js';
import { DEFAULT_INLINE_LIMIT, ingestJobId, type IngestJobData } from './ingest-job.js';
import { INGEST_QUEUE_NAME, connectRedis, displayRedisUrl, queueError } from './redis-connection.js';

export interface EnqueueFilesOptions {
  /** redis://host:port/db */
  queue: string;
  paths: string[];
  collection?: string;
  include?: string[];
  exclude?: string[];
  gitignore?: boolean;
  /** Larger files are not enqueued (FILE_TOO_LARGE), as with a plain ingest. */
  maxFileSize?: number;
  /** Files up to this many bytes travel inside the job; larger ones are read by the worker from their path. */
  inlineLimit?: number;
  chunkSize?: number;
  overlap?: number;
  loaderOptions?: LoaderOptions;
  /** Tries per job for transient failures (database busy, Redis hiccup); bad input fails at once. Default 3. */
  attempts?: number;
  onProgress?: (progress: { filesDone: number; filesTotal: number; current?: string }) => void;
}

export interface EnqueueReport {
  batch: string;
  /** The queue URL without its password. */
  queue: string;
  collection: string;
  files: number;
  /** New jobs added. */
  enqueued: number;
  /** Jobs for the same file and content that were still waiting or running: counted in this batch, not added twice. */
  alreadyQueued: number;
  /** Files sent inside their job (the rest are read by the worker from their path). */
  inline: number;
  bytes: number;
  /** Files not enqueued (missing path, too large): the same errors a plain ingest reports. */
  rejected: IngestFailure[];
  durationMs: number;
}

/**
 * `lore ingest --queue`: walks the paths, hashes every file and enqueues one BullMQ job per file (bytes inline
 * up to a limit), all recorded under a new batch id that `batchStatus` reports on.
 */
export async function enqueueFiles(options: EnqueueFilesOptions): Promise<EnqueueReport> {
  const started = performance.now();
  const collection = options.collection ?? DEFAULT_COLLECTION;
  const chunkSize = options.chunkSize ?? DEFAULT_SPLIT_OPTIONS.chunkSize;
  const overlap = options.overlap ?? DEFAULT_SPLIT_OPTIONS.overlap;
  validateSizes(chunkSize, overlap);
  const maxFileSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const inlineLimit = Math.min(options.inlineLimit ?? DEFAULT_INLINE_LIMIT, maxFileSize);
  const loaderOptions = stripUndefined(options.loaderOptions ?? {});
  const attempts = options.attempts ?? 3;

  const client = await connectRedis(options.queue);
  const queue = new Queue<IngestJobData>(INGEST_QUEUE_NAME, { connection: client });
  queue.on('error', () => {});
  const batch = newBatchId();
  const report: EnqueueReport = {
    batch,
    queue: displayRedisUrl(options.queue),
    collection,
    files: 0,
    enqueued: 0,
    alreadyQueued: 0,
    inline: 0,
    bytes: 0,
    rejected: [],
    durationMs: 0,
  };
  const reject = (source: string, error: unknown) => {
    const e = isLoreError(error) ? error : new LoreError({ code: 'INTERNAL', message: `${source}: ${(error as Error)?.message ?? String(error)}`, cause: error });
    report.rejected.push({ source, code: e.code, message: e.message.includes(source) ? e.message : `${source}: ${e.message}` });
  };
  try {
    const files: string[] = [];
    for await (const entry of walkFiles({ paths: options.paths, include: options.include, exclude: options.exclude, gitignore: options.gitignore })) {
      if ('error' in entry) reject(entry.path, entry.error);
      else files.push(entry.path);
    }
    report.files = files.length;
    const infoKey = batchKeys.info(INGEST_QUEUE_NAME, batch);
    const jobsKey = batchKeys.jobs(INGEST_QUEUE_NAME, batch);
    // The batch is described before its jobs exist, so a status read while enqueueing sees it (state: enqueueing).
    await client
      .multi()
      .hset(infoKey, { collection, createdAt: new Date().toISOString(), touchedAt: String(Date.now()), files: String(files.length), state: 'enqueueing', rejected: '[]' })
      .expire(infoKey, BATCH_TTL_SECONDS)
      .zadd(batchKeys.index(INGEST_QUEUE_NAME), Date.now(), batch)
      .exec();
    options.onProgress?.({ filesDone: 0, filesTotal: files.length });

    let next = 0;
    let done = 0;
    // A heartbeat: a batch whose enqueuer died (killed, Ctrl-C) stops being touched, and --status says so
    // instead of waiting for jobs that will never be added.
    let touched = Date.now();
    const enqueueOne = async (source: string) => {
      const size = await stat(source).then(
        (info) => info.size,
        (cause: NodeJS.ErrnoException) => {
          throw new LoreError({ code: 'NOT_FOUND', message: `${source} cannot be read (${cause.code ?? cause.message})`, hint: 'check that it still exists and is readable', subject: source, cause });
        },
      );
      if (size > maxFileSize) {
        throw new LoreError({
          code: 'FILE_TOO_LARGE',
          message: `${source} is ${formatBytes(size)}, over the ${formatBytes(maxFileSize)} limit`,
          hint: 'raise it with --max-file-size, or split the file',
          subject: source,
        });
      }
      let contentHash: string;
      let content: string | undefined;
      if (size <= inlineLimit) {
        const bytes = await readFile(source);
        contentHash = sha256(bytes);
        content = bytes.toString('base64');
      } else {
        contentHash = await hashFile(source);
      }
      const data: IngestJobData = { v: 1, batch, collection, source, contentHash, bytes: size, ...(content !== undefined ? { content } : {}), chunkSize, overlap, loaderOptions };
      const jobId = ingestJobId({ collection, source, contentHash, chunkSize, overlap, loaderOptions });
      const state = await queue.getJobState(jobId);
      if (state === 'unknown' || state === 'completed' || state === 'failed') {
        // A finished job with the same id would swallow the new one: remove it, so that enqueueing again always
        // reprocesses (the worker skips unchanged content cheaply, and restores a document deleted since).
        if (state !== 'unknown') await queue.remove(jobId);
        await queue.add('ingest', data, {
          jobId,
          attempts,
          backoff: { type: 'exponential', delay: 1000 },
          removeOnComplete: JOB_RETENTION.completed,
          removeOnFail: JOB_RETENTION.failed,
        });
        report.enqueued++;
        if (content !== undefined) report.inline++;
      } else {
        report.alreadyQueued++;
      }
      report.bytes += size;
      await client.rpush(jobsKey, jobId);
    };
    const lane = async () => {
      while (next < files.length) {
        const source = files[next++]!;
        try {
          await enqueueOne(source);
        } catch (error) {
          if (isQueueFailure(error)) throw error;
          reject(source, error);
        }
        done++;
        if (Date.now() - touched > 1000) {
          touched = Date.now();
          await client.hset(infoKey, 'touchedAt', String(touched));
        }
        options.onProgress?.({ filesDone: done, filesTotal: files.length, current: source });
      }
    };
    await Promise.all(Array.from({ length: 8 }, lane));
    await client
      .multi()
      .hset(infoKey, { state: 'enqueued', rejected: JSON.stringify(report.rejected) })
      .expire(jobsKey, BATCH_TTL_SECONDS)
      .exec();
  } catch (error) {
    throw isLoreError(error) ? error : queueError(options.queue, error);
  } finally {
    await queue.close().catch(() => {});
    client.disconnect();
  }
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

/** Large files are hashed as a stream, never held whole in memory here. */
function hashFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** File errors belong to one file; anything from Redis ends the run (the batch stays as far as it got). */
function isQueueFailure(error: unknown): boolean {
  if (isLoreError(error)) return false;
  const code = (error as { code?: unknown } | null)?.code;
  return !(typeof code === 'string' && /^E[A-Z]+$/.test(code) && (error as { syscall?: unknown }).syscall !== 'connect');
}

/** JSON drops undefined fields; removing them first keeps the job id the same as after a round trip. */
function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
