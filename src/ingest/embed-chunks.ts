import type { EmbeddingModel } from '../spec/models.js';
import type { PendingChunk, Store, VectorEntry } from '../spec/store.js';
import { isLoreError, LoreError } from '../spec/errors.js';
import { supportsText } from '../text/language.js';

export interface EmbedChunksOptions {
  store: Store;
  collection: string;
  embedder: EmbeddingModel;
  /** Chunks handed to the embedder per call (it batches by length inside). */
  batchSize?: number;
  onProgress?: (progress: EmbedProgress) => void;
  signal?: AbortSignal;
}

export interface EmbedProgress {
  total: number;
  done: number;
  /** Embedded now. */
  embedded: number;
  /** Taken from the embedding cache (same text embedded before by the same model). */
  cached: number;
  /** Not embedded: in a language the embedder does not represent; keyword search covers them. */
  skipped: number;
}

/**
 * Gives every chunk of a collection a vector from `embedder`, resumably: each batch is committed, so an
 * interrupted run leaves finished batches in place and the next run embeds only what is missing. Texts
 * embedded before by the same model (same content hash) come from the cache and are never re-embedded.
 */
export async function embedChunks(options: EmbedChunksOptions): Promise<EmbedProgress> {
  const { store, collection, embedder } = options;
  const progress: EmbedProgress = { total: await store.countPendingChunks({ collection, embedder: embedder.id }), done: 0, embedded: 0, cached: 0, skipped: 0 };
  options.onProgress?.({ ...progress });
  const batchSize = options.batchSize ?? 256;
  let after = 0;
  for (;;) {
    if (options.signal?.aborted) throw new LoreError({ code: 'ABORTED', message: 'Embedding was cancelled; run the command again to continue' });
    const batch = await store.pendingChunks({ collection, embedder: embedder.id, limit: batchSize, afterChunkId: after });
    if (batch.length === 0) break;
    after = batch[batch.length - 1]!.chunkId;
    const done = progress.done;
    const { entries, embedded, cached, skipped } = await vectorsFor({
      store,
      embedder,
      chunks: batch,
      signal: options.signal,
      onProgress: (n) => options.onProgress?.({ ...progress, done: done + n }),
    });
    progress.embedded += embedded;
    progress.cached += cached;
    progress.skipped += skipped;
    await store.putVectors({ collection, embedder: embedder.id, entries });
    progress.done += batch.length;
    options.onProgress?.({ ...progress });
  }
  return progress;
}

export interface VectorsForOptions {
  store: Store;
  embedder: EmbeddingModel;
  chunks: PendingChunk[];
  signal?: AbortSignal;
  /** Chunks with a vector so far (cached and skipped ones count at once). */
  onProgress?: (done: number) => void;
}

/**
 * Vectors for some chunks: from the embedding cache where the same text was embedded before by this model,
 * `null` for text in a language the model does not represent, else embedded now. Nothing is written.
 */
export async function vectorsFor(options: VectorsForOptions): Promise<{ entries: VectorEntry[]; embedded: number; cached: number; skipped: number }> {
  const { store, embedder } = options;
  const cache = await store.cachedEmbeddings({ embedder: embedder.id, contentHashes: options.chunks.map((c) => c.contentHash) });
  const entries: VectorEntry[] = [];
  const toEmbed: PendingChunk[] = [];
  let cached = 0;
  let skipped = 0;
  for (const chunk of options.chunks) {
    if (cache.has(chunk.contentHash)) {
      entries.push({ chunkId: chunk.chunkId, contentHash: chunk.contentHash, vector: cache.get(chunk.contentHash) ?? null });
      cached++;
    } else if (!supportsText(embedder.languages, chunk.text)) {
      entries.push({ chunkId: chunk.chunkId, contentHash: chunk.contentHash, vector: null });
      skipped++;
    } else {
      toEmbed.push(chunk);
    }
  }
  if (toEmbed.length > 0) {
    let vectors: Float32Array[];
    try {
      vectors = await embedder.embed(
        toEmbed.map((c) => c.text),
        { signal: options.signal, onProgress: (done) => options.onProgress?.(entries.length + done) },
      );
    } catch (cause) {
      if (isLoreError(cause)) throw cause;
      throw new LoreError({ code: 'INTERNAL', message: `The embedder ${embedder.id} failed: ${(cause as Error)?.message ?? cause}`, cause });
    }
    toEmbed.forEach((c, i) => entries.push({ chunkId: c.chunkId, contentHash: c.contentHash, vector: vectors[i] ?? null }));
  }
  return { entries, embedded: toEmbed.length, cached, skipped };
}
