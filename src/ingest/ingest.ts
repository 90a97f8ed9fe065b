import { readFile, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import type { LoaderOptions, LoadedDocument } from '../spec/document.js';
import { isLoreError, LoreError } from '../spec/errors.js';
import type { ChunkInput, Store } from '../spec/store.js';
import { sharedChunkPool, type ChunkPool } from './chunk-pool.js';
import { sha256 } from './chunk-work.js';
import { loadDocument } from './loaders/index.js';
import { walkFiles } from './walk-files.js';
import { DEFAULT_SPLIT_OPTIONS } from './split/split-options.js';
import { embedChunks, type EmbedProgress } from './embed-chunks.js';
import type { EmbeddingModel } from '../spec/models.js';
import { flagDocumentChunks } from '../guard/flag-chunks.js';
import { GEN_AI, LORE } from '../trace/attributes.js';
import { traceEmbedder } from '../trace/traced-embedder.js';
import { withSpan } from '../trace/with-span.js';

export const DEFAULT_MAX_FILE_SIZE = 100 * 1024 * 1024;
export const DEFAULT_COLLECTION = 'default';
/** Bump when analysis or splitting changes so that existing documents are re-chunked on the next ingest. */
// 2: chunks carry the guard's flags (metadata.guard).
const PIPELINE_VERSION = 2;

export interface IngestOptions {
  store: Store;
  paths: string[];
  collection?: string;
  include?: string[];
  exclude?: string[];
  gitignore?: boolean;
  /** Bytes; larger files are refused with FILE_TOO_LARGE. */
  maxFileSize?: number;
  chunkSize?: number;
  overlap?: number;
  loaderOptions?: LoaderOptions;
  /** Remove documents under the given paths whose files are gone. */
  prune?: boolean;
  /** Files loaded at once (default 4). */
  concurrency?: number;
  /** Threads for splitting and analysis (default: the process-wide pool, one worker per spare core). */
  pool?: ChunkPool;
  /** Embeds the collection's new chunks after loading (none: keyword search only). */
  embedder?: EmbeddingModel;
  onEmbedProgress?: (progress: EmbedProgress) => void;
  /** Flag chunks that read as instructions to a model or hide text from a reader (metadata.guard; default true). */
  guard?: boolean;
  onProgress?: (progress: IngestProgress) => void;
  signal?: AbortSignal;
}

export interface IngestProgress {
  filesTotal: number;
  filesDone: number;
  added: number;
  updated: number;
  unchanged: number;
  failed: number;
  chunks: number;
  bytes: number;
  current?: string;
}

export interface IngestFailure {
  source: string;
  code: string;
  message: string;
}

export interface IngestReport extends IngestProgress {
  collection: string;
  pruned: number;
  /** Present when an embedder ran. */
  embedding?: EmbedProgress & { embedder: string };
  errors: IngestFailure[];
  warnings: Array<{ source: string; message: string }>;
  /** Chunks the guard flagged (instructions to a model, hidden text); each document with some is also a warning. */
  flagged?: number;
  durationMs: number;
}

/** What ingesting one file did; `documentId` lets a caller (a queue worker) embed just that document. */
export type FileOutcome =
  | { kind: 'unchanged'; documentId: number }
  | { kind: 'written'; documentId: number; updated: boolean; chunks: number; bytes: number; warnings: string[]; flagged: number };

/**
 * Ingests files and folders into a collection: walk → read → hash → load → split → analyse → write.
 * Each document is written in one transaction, so a killed run leaves every document either fully old or
 * fully new, and the next run (which skips unchanged files by content hash) finishes the work.
 */
export function ingest(options: IngestOptions): Promise<IngestReport> {
  return withSpan('ingest', { [LORE.collection]: options.collection ?? DEFAULT_COLLECTION }, async (span) => {
    const report = await ingestFiles(options);
    span.setAttributes({ 'lore.files': report.filesTotal, 'lore.added': report.added, 'lore.updated': report.updated, 'lore.failed': report.failed, [LORE.chunks]: report.chunks });
    return report;
  });
}

async function ingestFiles(options: IngestOptions): Promise<IngestReport> {
  const started = performance.now();
  const collection = options.collection ?? DEFAULT_COLLECTION;
  const chunkSize = options.chunkSize ?? DEFAULT_SPLIT_OPTIONS.chunkSize;
  const overlap = options.overlap ?? DEFAULT_SPLIT_OPTIONS.overlap;
  validateSizes(chunkSize, overlap);
  const settingsKey = ingestSettingsKey({ chunkSize, overlap, loaderOptions: options.loaderOptions });
  let info: Awaited<ReturnType<Store['ensureCollection']>>;
  try {
    info = await options.store.ensureCollection(collection, { chunkSize, overlap });
  } catch (error) {
    throw databaseError(error) ?? error;
  }
  if (options.embedder) await checkEmbedder({ store: options.store, collection, settings: info.settings, embedder: options.embedder });

  const report: IngestReport = {
    collection,
    filesTotal: 0,
    filesDone: 0,
    added: 0,
    updated: 0,
    unchanged: 0,
    failed: 0,
    chunks: 0,
    bytes: 0,
    pruned: 0,
    errors: [],
    warnings: [],
    flagged: 0,
    durationMs: 0,
  };
  const fail = (source: string, error: unknown) => {
    report.failed++;
    const e = isLoreError(error)
      ? error
      : databaseError(error, source) ?? new LoreError({ code: 'INTERNAL', message: `${source}: ${(error as Error)?.message ?? String(error)}`, cause: error });
    report.errors.push({ source, code: e.code, message: e.message.includes(source) ? e.message : `${source}: ${e.message}` });
  };

  const files: string[] = [];
  const roots: string[] = [];
  for await (const entry of walkFiles({ paths: options.paths, include: options.include, exclude: options.exclude, gitignore: options.gitignore })) {
    if ('error' in entry) fail(entry.path, entry.error);
    else {
      files.push(entry.path);
      if (!roots.includes(entry.root)) roots.push(entry.root);
    }
  }
  report.filesTotal = files.length;
  // Large jobs: start the analyser threads now, so their start-up overlaps reading and splitting.
  const pool = options.pool ?? sharedChunkPool();
  if (files.length > 0) {
    const sizes = await Promise.all(files.slice(0, 64).map((f) => stat(f).then((s) => s.size, () => 0)));
    if (sizes.reduce((a, b) => a + b, 0) > 64 * 1024) pool.warm();
  }
  options.onProgress?.({ ...report });

  const seen = new Set(files);
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      if (options.signal?.aborted) throw new LoreError({ code: 'ABORTED', message: 'Ingestion was cancelled' });
      const source = files[next++]!;
      try {
        const outcome = await withSpan('ingest.file', { [LORE.source]: source }, async (span) => {
          const o = await ingestFile({ ...options, source, collection, chunkSize, overlap, settingsKey, pool });
          span.setAttribute(LORE.outcome, o.kind === 'unchanged' ? 'unchanged' : o.updated ? 'updated' : 'added');
          return o;
        });
        if (outcome.kind === 'unchanged') report.unchanged++;
        else {
          if (outcome.updated) report.updated++;
          else report.added++;
          report.chunks += outcome.chunks;
          report.bytes += outcome.bytes;
          report.flagged = (report.flagged ?? 0) + outcome.flagged;
          for (const message of outcome.warnings) report.warnings.push({ source, message });
        }
      } catch (error) {
        if (isLoreError(error, 'ABORTED')) throw error;
        fail(source, error);
      }
      report.filesDone++;
      options.onProgress?.({ ...report, current: source });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 4) }, worker));

  if (options.prune) report.pruned = await prune({ store: options.store, collection, roots, seen });
  if (options.embedder) {
    const embedder = traceEmbedder(options.embedder);
    const embedding = await withSpan('ingest.embed', { [GEN_AI.requestModel]: embedder.id }, () =>
      embedChunks({ store: options.store, collection, embedder, onProgress: options.onEmbedProgress, signal: options.signal }),
    );
    report.embedding = { ...embedding, embedder: options.embedder.id };
  }
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

interface IngestFileOptions extends IngestOptions {
  source: string;
  collection: string;
  chunkSize: number;
  overlap: number;
  settingsKey: string;
}

/**
 * The settings a document was split with, as a short key kept in its metadata: a document whose bytes and key
 * are unchanged is skipped. Exported so that queue workers skip and re-chunk exactly as `ingest()` does.
 */
export function ingestSettingsKey(o: { chunkSize: number; overlap: number; loaderOptions?: LoaderOptions }): string {
  const settings = { chunkSize: o.chunkSize, overlap: o.overlap, loaderOptions: o.loaderOptions ?? {}, pipeline: PIPELINE_VERSION };
  return sha256(JSON.stringify(settings)).slice(0, 16);
}

async function ingestFile(o: IngestFileOptions): Promise<FileOutcome> {
  const info = await stat(o.source);
  const maxFileSize = o.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  if (info.size > maxFileSize) {
    throw new LoreError({
      code: 'FILE_TOO_LARGE',
      message: `${o.source} is ${formatBytes(info.size)}, over the ${formatBytes(maxFileSize)} limit`,
      hint: 'raise it with --max-file-size, or split the file',
      subject: o.source,
    });
  }
  const bytes = new Uint8Array(await readFile(o.source));
  return ingestBytes({ ...o, bytes });
}

export interface IngestBytesOptions {
  store: Store;
  collection: string;
  /** The document's source (its path): re-ingesting the same source replaces the document. */
  source: string;
  bytes: Uint8Array;
  chunkSize: number;
  overlap: number;
  /** From `ingestSettingsKey`. */
  settingsKey: string;
  loaderOptions?: LoaderOptions;
  pool?: ChunkPool;
  guard?: boolean;
}

/**
 * One file's bytes → load → split → analyse → one atomic `putDocument`, skipped when the stored document has
 * the same content hash and settings. Used by `ingest()` and by queue workers, which receive the bytes.
 */
export async function ingestBytes(o: IngestBytesOptions): Promise<FileOutcome> {
  const bytes = o.bytes;
  const contentHash = sha256(bytes);
  const existing = await o.store.findDocument(o.collection, o.source);
  if (existing && existing.contentHash === contentHash && existing.metadata['ingestKey'] === o.settingsKey) {
    return { kind: 'unchanged', documentId: existing.id };
  }
  const doc = await withSpan('ingest.load', { [LORE.bytes]: bytes.byteLength }, async (span) => {
    const loaded = await loadDocument({ source: o.source, bytes, options: o.loaderOptions });
    span.setAttributes({ 'lore.mime_type': loaded.mimeType, 'lore.characters': loaded.text.length });
    return loaded;
  });
  const chunks = await withSpan('ingest.split', { 'lore.chunk_size': o.chunkSize }, async (span) => {
    const built = await buildChunks({ doc, chunkSize: o.chunkSize, overlap: o.overlap, pool: o.pool });
    span.setAttribute(LORE.chunks, built.length);
    return built;
  });
  if (chunks.length === 0) {
    throw new LoreError({ code: 'EMPTY_FILE', message: `${o.source} has no text to index`, hint: 'check that the file is not empty or image-only', subject: o.source });
  }
  const guard = o.guard === false ? undefined : flagDocumentChunks({ doc, bytes, chunks });
  const written = await withSpan('ingest.write', { [LORE.chunks]: chunks.length }, () => o.store.putDocument({
    collection: o.collection,
    source: o.source,
    mimeType: doc.mimeType,
    type: String(doc.metadata['type'] ?? 'text'),
    title: doc.title,
    contentHash,
    bytes: bytes.byteLength,
    metadata: { ...doc.metadata, ingestKey: o.settingsKey, ...(guard && guard.documentFlags.length > 0 ? { guard: guard.documentFlags } : {}) },
    chunks,
  }));
  return { kind: 'written', documentId: written.id, updated: existing !== undefined, chunks: chunks.length, bytes: bytes.byteLength, warnings: [...doc.warnings, ...(guard?.warnings ?? [])], flagged: guard?.flaggedChunks ?? 0 };
}

export interface BuildChunksOptions {
  doc: LoadedDocument;
  chunkSize: number;
  overlap: number;
  /** Threads for splitting and analysis (default: the process-wide pool). */
  pool?: ChunkPool;
}

/** Splits a loaded document and analyses each chunk for the keyword index. */
export function buildChunks(options: BuildChunksOptions): Promise<ChunkInput[]> {
  return (options.pool ?? sharedChunkPool()).build({ doc: options.doc, chunkSize: options.chunkSize, overlap: options.overlap });
}

/**
 * A collection's vectors all come from one embedder: mixing two models' vectors in one ranking compares
 * numbers that mean different things. The first embedder used is recorded; a different one is refused.
 */
export async function checkEmbedder(o: { store: Store; collection: string; settings: Record<string, unknown>; embedder: EmbeddingModel }): Promise<void> {
  const recorded = o.settings['embedder'];
  if (recorded === undefined) {
    await o.store.updateCollectionSettings(o.collection, { embedder: o.embedder.id, dimensions: o.embedder.dimensions });
  } else if (recorded !== o.embedder.id) {
    throw new LoreError({
      code: 'INVALID_ARGUMENT',
      message: `Collection "${o.collection}" is embedded with ${String(recorded)}, not ${o.embedder.id}`,
      hint: `run \`lore reindex --collection ${o.collection} --embedder <spec>\` to switch, or ingest with --embedder matching it`,
      subject: o.collection,
    });
  }
}

async function prune(o: { store: Store; collection: string; roots: string[]; seen: Set<string> }): Promise<number> {
  let pruned = 0;
  for (const doc of await o.store.listDocuments({ collection: o.collection })) {
    const underRoot = o.roots.some((r) => doc.source === r || doc.source.startsWith(r.endsWith(sep) ? r : r + sep));
    if (underRoot && !o.seen.has(doc.source) && !existsSync(doc.source)) {
      await o.store.deleteDocument(doc.id);
      pruned++;
    }
  }
  return pruned;
}

export function validateSizes(chunkSize: number, overlap: number): void {
  if (!Number.isInteger(chunkSize) || chunkSize < 16 || chunkSize > 100_000) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `--chunk-size must be a whole number of tokens from 16 to 100000 (got ${chunkSize})` });
  }
  if (!Number.isInteger(overlap) || overlap < 0 || overlap >= chunkSize) {
    throw new LoreError({ code: 'INVALID_ARGUMENT', message: `--overlap must be a whole number from 0 to below --chunk-size (got ${overlap})` });
  }
}

/**
 * SQLite's own failures (a read-only file, a full disk, an I/O error) as a DATABASE_ERROR that says what to
 * do, instead of an "unexpected error". Found by the fault tests; each write is a transaction, so nothing is
 * left half-written, and a rerun finishes the work once the cause is fixed.
 */
export function databaseError(error: unknown, source?: string): LoreError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return undefined;
  const what = code.startsWith('SQLITE_READONLY')
    ? { message: 'the database is read-only', hint: 'open it for writing (check the file and folder permissions), or ingest into another --db' }
    : code.startsWith('SQLITE_FULL') || code.startsWith('SQLITE_IOERR_WRITE') || code.startsWith('SQLITE_IOERR_FSYNC')
      ? { message: `the database could not be written: the disk is full, a file-size limit was reached, or the disk failed (${code})`, hint: 'free some space and run the same command again: finished documents are kept' }
      : { message: `the database failed (${code}: ${(error as Error).message})`, hint: 'run the same command again; finished documents are kept' };
  return new LoreError({ code: 'DATABASE_ERROR', message: source ? `${source}: ${what.message}` : what.message, hint: what.hint, cause: error });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}
