import type { LoaderOptions } from '../spec/document.js';
import { sha256 } from '../ingest/chunk-work.js';

/** Files up to this size travel inside the job, so workers on other machines need no shared file system. */
export const DEFAULT_INLINE_LIMIT = 8 * 1024 * 1024;

/** What `lore ingest --queue` puts in Redis for one file. Versioned: a worker refuses a shape it does not know. */
export interface IngestJobData {
  v: 1;
  /** The batch (one `lore ingest --queue` run) that enqueued the job first. */
  batch: string;
  collection: string;
  /** The document's source: the absolute path on the machine that enqueued it (the same key as a plain ingest). */
  source: string;
  /** SHA-256 of the bytes when enqueued. */
  contentHash: string;
  bytes: number;
  /** The file's bytes, base64, when at most the inline limit; otherwise the worker reads `source` itself. */
  content?: string;
  chunkSize: number;
  overlap: number;
  loaderOptions: LoaderOptions;
}

/** What a finished job returns (kept by BullMQ as the job's return value). */
export interface IngestJobResult {
  outcome: 'added' | 'updated' | 'unchanged';
  documentId: number;
  chunks: number;
  /** Chunks given a vector by this job (embedded now or taken from the cache). */
  vectors: number;
  warnings: string[];
}

/**
 * One id per (collection, source, content, settings): enqueueing the same file again while its job is still
 * waiting or running adds nothing. BullMQ refuses ids with `:` and plain integers, so this is hex with a prefix.
 */
export function ingestJobId(o: { collection: string; source: string; contentHash: string; chunkSize: number; overlap: number; loaderOptions: LoaderOptions }): string {
  const key = JSON.stringify([o.collection, o.source, o.contentHash, o.chunkSize, o.overlap, o.loaderOptions]);
  return `f-${sha256(key).slice(0, 32)}`;
}
