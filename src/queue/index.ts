// Distributed ingestion (docs/queue.md). BullMQ and ioredis take about 0.6 s to import, so the library's entry
// point exposes these as thin functions that load them on first use: importing Lore stays fast.
import type { BatchStatus, QueueStatus, QueueStatusOptions } from './batch-status.js';
import type { EnqueueFilesOptions, EnqueueReport } from './enqueue-files.js';
import type { IngestWorker, IngestWorkerEvent, IngestWorkerOptions } from './ingest-worker.js';

export type { BatchStatus, QueueStatus, QueueStatusOptions, EnqueueFilesOptions, EnqueueReport, IngestWorker, IngestWorkerEvent, IngestWorkerOptions };
export type { IngestJobData, IngestJobResult } from './ingest-job.js';

/** Enqueues files for `lore worker` processes: one BullMQ job per file, under a new batch id. */
export async function enqueueFiles(options: EnqueueFilesOptions): Promise<EnqueueReport> {
  return (await import('./enqueue-files.js')).enqueueFiles(options);
}

/** Takes ingestion jobs from the queue and writes each file into `options.store` until closed. */
export async function startIngestWorker(options: IngestWorkerOptions): Promise<IngestWorker> {
  return (await import('./ingest-worker.js')).startIngestWorker(options);
}

/** Progress of recent batches, or of one. */
export async function queueStatus(options: QueueStatusOptions): Promise<QueueStatus> {
  return (await import('./batch-status.js')).queueStatus(options);
}
