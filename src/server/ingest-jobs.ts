import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import {
  buildChunks,
  DEFAULT_SPLIT_OPTIONS,
  embedChunks,
  ingest,
  isLoreError,
  loadDocument,
  LoreError,
  type DocumentRecord,
  type EmbeddingModel,
  type Store,
} from '../index.js';
import { HttpError } from './http-error.js';

export type FileStatus = 'queued' | 'ingesting' | 'embedding' | 'ready' | 'failed';
export type JobStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled';

export interface JobFileView {
  name: string;
  bytes: number;
  status: FileStatus;
  /** The stored document's stable id once written. */
  documentId: string | null;
  error: { code: string; message: string } | null;
  warnings: string[];
}

/** What clients see of an ingestion job: never the server's file paths. */
export interface JobView {
  id: string;
  collection: string;
  kind: 'upload' | 'reingest';
  status: JobStatus;
  phase: 'queued' | 'loading' | 'embedding' | 'done';
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  files: JobFileView[];
  progress: { filesDone: number; filesTotal: number; chunks: number; embedded: number; embedTotal: number };
  error: { code: string; message: string } | null;
}

interface JobFile extends JobFileView {
  /** Where the bytes are on the server: the document's source. */
  path: string;
}

interface Job extends Omit<JobView, 'files'> {
  files: JobFile[];
}

export interface IngestJobs {
  /** Queues files for ingestion; throws 503 when too many jobs already wait. */
  submit(options: { collection: string; kind: 'upload' | 'reingest'; files: Array<{ name: string; path: string; bytes: number }> }): JobView;
  get(id: string): JobView | undefined;
  list(): JobView[];
  /** Files of unfinished or failed jobs in a collection, with their server paths (for the document list). */
  filesOf(collection: string): Array<{ jobId: string; file: JobFileView & { path: string } }>;
  /** Called with the job after every change; returns the unsubscribe function. */
  subscribe(id: string, listener: (job: JobView) => void): () => void;
  readonly pending: number;
  /** Stops the running job (each document is written whole or not at all) and refuses new ones. */
  close(): Promise<void>;
}

export interface IngestJobsOptions {
  store: Store;
  embedderFor: (collection: string) => Promise<EmbeddingModel | undefined>;
  /** Jobs allowed to wait; the next upload gets a 503. */
  maxPending: number;
  /** Finished jobs remembered for status queries. */
  keepFinished?: number;
  onChange?: (counts: Record<JobStatus, number>) => void;
  /** Called with a job's view after each of its changes (to share it with other servers). */
  onJob?: (job: JobView) => void;
  onError?: (job: JobView, error: unknown) => void;
}

const TERMINAL: ReadonlySet<JobStatus> = new Set(['done', 'failed', 'cancelled']);

export function isTerminal(job: JobView): boolean {
  return TERMINAL.has(job.status);
}

/**
 * Uploaded files are ingested one job at a time in the background (ingestion already uses every core), while
 * clients poll the job or follow its event stream. Jobs live in memory: a restart forgets them, but not
 * the documents they wrote.
 */
export function createIngestJobs(options: IngestJobsOptions): IngestJobs {
  const jobs = new Map<string, Job>();
  const queue: Job[] = [];
  const listeners = new Map<string, Set<(job: JobView) => void>>();
  const keep = options.keepFinished ?? 200;
  let running: { job: Job; abort: AbortController; done: Promise<void> } | undefined;
  let closed = false;

  const view = (job: Job): JobView => ({
    ...job,
    progress: { ...job.progress },
    files: job.files.map(({ path: _path, ...file }) => ({ ...file, warnings: [...file.warnings] })),
  });
  const changed = (job: Job) => {
    const snapshot = view(job);
    for (const listener of listeners.get(job.id) ?? []) listener(snapshot);
    options.onJob?.(snapshot);
    if (options.onChange) {
      const counts: Record<JobStatus, number> = { queued: 0, running: 0, done: 0, failed: 0, cancelled: 0 };
      for (const j of jobs.values()) counts[j.status]++;
      options.onChange(counts);
    }
  };
  const forget = () => {
    const finished = [...jobs.values()].filter((j) => TERMINAL.has(j.status));
    for (const j of finished.slice(0, Math.max(0, finished.length - keep))) jobs.delete(j.id);
  };

  const pump = () => {
    if (running || closed) return;
    const job = queue.shift();
    if (!job) return;
    const abort = new AbortController();
    running = { job, abort, done: Promise.resolve() };
    running.done = runJob(job, abort.signal).finally(() => {
      running = undefined;
      forget();
      pump();
    });
  };

  const runJob = async (job: Job, signal: AbortSignal): Promise<void> => {
    job.status = 'running';
    job.phase = 'loading';
    job.startedAt = new Date().toISOString();
    for (const f of job.files) f.status = 'ingesting';
    changed(job);
    try {
      if (job.kind === 'reingest') await reingest(job, signal);
      else await upload(job, signal);
      job.status = job.files.some((f) => f.status === 'failed') && !job.files.some((f) => f.status === 'ready') ? 'failed' : 'done';
    } catch (error) {
      const aborted = isLoreError(error, 'ABORTED') || signal.aborted;
      job.status = aborted ? 'cancelled' : 'failed';
      job.error = describe(error, job);
      for (const f of job.files) {
        if (f.status !== 'ready') {
          f.status = 'failed';
          f.error = job.error;
        }
      }
      if (!aborted) options.onError?.(view(job), error);
    }
    job.phase = 'done';
    job.finishedAt = new Date().toISOString();
    changed(job);
  };

  const upload = async (job: Job, signal: AbortSignal) => {
    const embedder = await options.embedderFor(job.collection);
    const byPath = new Map(job.files.map((f) => [f.path, f]));
    const report = await ingest({
      store: options.store,
      paths: job.files.map((f) => f.path),
      collection: job.collection,
      embedder,
      signal,
      onProgress: (p) => {
        job.progress.filesDone = p.filesDone;
        job.progress.chunks = p.chunks;
        const file = p.current ? byPath.get(p.current) : undefined;
        if (file && file.status === 'ingesting') file.status = embedder ? 'embedding' : 'ready';
        changed(job);
      },
      onEmbedProgress: (p) => {
        job.phase = 'embedding';
        job.progress.embedded = p.done;
        job.progress.embedTotal = p.total;
        changed(job);
      },
    });
    for (const e of report.errors) {
      const file = byPath.get(e.source);
      if (file) {
        file.status = 'failed';
        file.error = { code: e.code, message: e.message.replaceAll(e.source, file.name) };
      }
    }
    for (const w of report.warnings) byPath.get(w.source)?.warnings.push(w.message.replaceAll(w.source, basename(w.source)));
    for (const file of job.files) {
      if (file.status === 'failed') continue;
      file.status = 'ready';
      file.documentId = (await options.store.findDocument(job.collection, file.path))?.uid ?? null;
    }
  };

  // Re-ingesting rebuilds the document even when its bytes did not change (after a pipeline change, or to
  // retry), replacing its chunks in one transaction like any ingest.
  const reingest = async (job: Job, signal: AbortSignal) => {
    const file = job.files[0]!;
    const existing = await options.store.findDocument(job.collection, file.path);
    const settings = (await options.store.getCollection(job.collection))?.settings ?? {};
    const chunkSize = typeof settings['chunkSize'] === 'number' ? settings['chunkSize'] : DEFAULT_SPLIT_OPTIONS.chunkSize;
    const overlap = typeof settings['overlap'] === 'number' ? settings['overlap'] : DEFAULT_SPLIT_OPTIONS.overlap;
    const bytes = new Uint8Array(await readFile(file.path).catch((cause: unknown) => {
      throw new LoreError({ code: 'NOT_FOUND', message: `The source of ${file.name} is no longer readable by the server`, cause });
    }));
    const doc = await loadDocument({ source: file.path, bytes });
    const chunks = await buildChunks({ doc, chunkSize, overlap });
    if (chunks.length === 0) throw new LoreError({ code: 'EMPTY_FILE', message: `${file.name} has no text to index` });
    if (signal.aborted) throw new LoreError({ code: 'ABORTED', message: 'Re-ingestion was cancelled' });
    const record: DocumentRecord = await options.store.putDocument({
      collection: job.collection,
      source: file.path,
      mimeType: doc.mimeType,
      type: String(doc.metadata['type'] ?? 'text'),
      title: doc.title,
      contentHash: createHash('sha256').update(bytes).digest('hex'),
      bytes: bytes.byteLength,
      // Keeping the ingest key means a later `lore ingest` of the same file sees it as current.
      metadata: { ...doc.metadata, ...(existing?.metadata['ingestKey'] !== undefined ? { ingestKey: existing.metadata['ingestKey'] } : {}) },
      chunks,
    });
    file.bytes = bytes.byteLength;
    file.warnings.push(...doc.warnings);
    job.progress.filesDone = 1;
    job.progress.chunks = chunks.length;
    file.documentId = record.uid;
    const embedder = await options.embedderFor(job.collection);
    if (embedder) {
      file.status = 'embedding';
      job.phase = 'embedding';
      changed(job);
      await embedChunks({
        store: options.store,
        collection: job.collection,
        embedder,
        signal,
        onProgress: (p) => {
          job.progress.embedded = p.done;
          job.progress.embedTotal = p.total;
          changed(job);
        },
      });
    }
    file.status = 'ready';
  };

  return {
    submit(o) {
      if (closed) throw new HttpError({ status: 503, code: 'SHUTTING_DOWN', message: 'The server is shutting down' });
      if (queue.length >= options.maxPending) {
        throw new HttpError({ status: 503, code: 'OVERLOADED', message: `${queue.length} uploads are already waiting to be ingested; try again shortly`, retryAfterS: 5 });
      }
      const job: Job = {
        id: randomBytes(8).toString('hex'),
        collection: o.collection,
        kind: o.kind,
        status: 'queued',
        phase: 'queued',
        createdAt: new Date().toISOString(),
        startedAt: null,
        finishedAt: null,
        files: o.files.map((f) => ({ ...f, status: 'queued', documentId: null, error: null, warnings: [] })),
        progress: { filesDone: 0, filesTotal: o.files.length, chunks: 0, embedded: 0, embedTotal: 0 },
        error: null,
      };
      jobs.set(job.id, job);
      queue.push(job);
      changed(job);
      pump();
      return view(job);
    },
    get: (id) => {
      const job = jobs.get(id);
      return job ? view(job) : undefined;
    },
    list: () => [...jobs.values()].map(view).reverse(),
    filesOf(collection) {
      // Newest job first, and only its word on each file: a later successful upload clears an earlier failure.
      const out: Array<{ jobId: string; file: JobFileView & { path: string } }> = [];
      const seen = new Set<string>();
      for (const job of [...jobs.values()].reverse()) {
        if (job.collection !== collection) continue;
        for (const file of job.files) {
          if (seen.has(file.path)) continue;
          seen.add(file.path);
          if (file.status !== 'ready') out.push({ jobId: job.id, file: { ...file, warnings: [...file.warnings] } });
        }
      }
      return out.reverse();
    },
    subscribe(id, listener) {
      let set = listeners.get(id);
      if (!set) listeners.set(id, (set = new Set()));
      set.add(listener);
      return () => {
        set.delete(listener);
        if (set.size === 0) listeners.delete(id);
      };
    },
    get pending() {
      return queue.length + (running ? 1 : 0);
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) {
        job.status = 'cancelled';
        job.phase = 'done';
        changed(job);
      }
      if (running) {
        running.abort.abort();
        await running.done;
      }
    },
  };
}

function describe(error: unknown, job: Job): { code: string; message: string } {
  const code = isLoreError(error) ? error.code : 'INTERNAL';
  let message = isLoreError(error) ? error.message : 'Ingestion failed; see the server log';
  for (const f of job.files) message = message.replaceAll(f.path, f.name);
  return { code, message };
}
