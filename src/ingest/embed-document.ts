import type { EmbeddingModel } from '../spec/models.js';
import type { PendingChunk, Store } from '../spec/store.js';
import { sha256 } from './chunk-work.js';
import { vectorsFor } from './embed-chunks.js';

export interface EmbedDocumentOptions {
  store: Store;
  collection: string;
  documentId: number;
  embedder: EmbeddingModel;
  signal?: AbortSignal;
}

/**
 * Gives one document's chunks that lack a vector from `embedder` one (cache first, as `embedChunks` does), in
 * one write. A queue worker embeds just the document it wrote, so that workers never embed, or race on, each
 * other's chunks; run again after a crash it embeds only what is still missing.
 */
export async function embedDocument(options: EmbedDocumentOptions): Promise<{ vectors: number; embedded: number; cached: number; skipped: number }> {
  const { store, embedder } = options;
  const chunks = await store.documentChunks({ documentId: options.documentId });
  if (chunks.length === 0) return { vectors: 0, embedded: 0, cached: 0, skipped: 0 };
  const have = await store.chunkVectors({ embedder: embedder.id, chunkIds: chunks.map((c) => c.chunkId) });
  // A chunk's content hash is the SHA-256 of its text (chunk-work.ts): the key of the embedding cache.
  const pending: PendingChunk[] = chunks.filter((c) => !have.has(c.chunkId)).map((c) => ({ chunkId: c.chunkId, contentHash: sha256(c.text), text: c.text }));
  if (pending.length === 0) return { vectors: 0, embedded: 0, cached: 0, skipped: 0 };
  const { entries, embedded, cached, skipped } = await vectorsFor({ store, embedder, chunks: pending, signal: options.signal });
  await store.putVectors({ collection: options.collection, embedder: embedder.id, entries });
  return { vectors: entries.length, embedded, cached, skipped };
}
