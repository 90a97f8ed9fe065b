import { basename, relative, sep } from 'node:path';
import type { CollectionInfo, DocumentRecord } from '../index.js';
import type { IngestJobs, JobFileView } from './ingest-jobs.js';

/** A collection as the API shows it. */
export function collectionView(info: CollectionInfo): Record<string, unknown> {
  const embedder = info.settings['embedder'];
  return { name: info.name, documentCount: info.documentCount, chunkCount: info.chunkCount, createdAt: info.createdAt, embedder: typeof embedder === 'string' ? embedder : null };
}

/** A document's name for people: its path inside the collection's upload folder for uploads, else the file name. */
export function displayName(source: string, uploadDir: string): string {
  const inside = relative(uploadDir, source);
  if (inside && !inside.startsWith('..') && !inside.startsWith(sep)) return inside.split(sep).slice(1).join('/') || basename(source);
  return basename(source);
}

export function documentView(doc: DocumentRecord, uploadDir: string, job?: { jobId: string; file: JobFileView }): Record<string, unknown> {
  return {
    id: doc.uid,
    documentId: doc.id,
    collection: doc.collection,
    name: displayName(doc.source, uploadDir),
    source: doc.source,
    type: doc.type,
    title: doc.title,
    bytes: doc.bytes,
    chunkCount: doc.chunkCount,
    status: job ? job.file.status : 'ready',
    error: job?.file.error ?? null,
    warnings: job?.file.warnings ?? [],
    jobId: job?.jobId ?? null,
    updatedAt: doc.updatedAt,
  };
}

/** Stored documents, plus uploads still being ingested or that failed: what a document list shows. */
export function listDocumentViews(o: { collection: string; documents: DocumentRecord[]; jobs: IngestJobs; uploadDir: string }): Array<Record<string, unknown>> {
  const pending = new Map(o.jobs.filesOf(o.collection).map((entry) => [entry.file.path, entry]));
  const out = o.documents.map((doc) => {
    const job = pending.get(doc.source);
    pending.delete(doc.source);
    // A failed re-upload leaves the previous version in place: it is still ready, with the error shown.
    if (job?.file.status === 'failed') return { ...documentView(doc, o.uploadDir), error: job.file.error, jobId: job.jobId };
    return documentView(doc, o.uploadDir, job);
  });
  for (const { jobId, file } of pending.values()) {
    out.push({
      id: null,
      documentId: null,
      collection: o.collection,
      name: file.name,
      source: null,
      type: null,
      title: null,
      bytes: file.bytes,
      chunkCount: 0,
      status: file.status,
      error: file.error,
      warnings: file.warnings,
      jobId,
      updatedAt: null,
    });
  }
  return out;
}
