import { dot } from '../../models/embedders/cosine.js';
import type { EmbeddingModel } from '../../spec/models.js';
import type { SearchHit, Store } from '../../spec/store.js';
import { supportsText } from '../../text/language.js';

/**
 * One vector per hit from this embedder: the stored one when the chunk was embedded at ingest (free), else
 * embedded now when `embedMissing` (one batched call), else `undefined`. `null` marks a text the embedder
 * cannot represent (its language), stored that way or judged now, so callers never compare noise.
 */
export async function hitVectors(o: {
  store?: Store;
  embedder: EmbeddingModel;
  hits: SearchHit[];
  embedMissing?: boolean;
  signal?: AbortSignal;
}): Promise<Array<Float32Array | null | undefined>> {
  const stored = o.store ? await o.store.chunkVectors({ embedder: o.embedder.id, chunkIds: o.hits.map((h) => h.chunkId) }) : new Map<number, Float32Array | null>();
  const out = o.hits.map((h) => stored.get(h.chunkId));
  if (!o.embedMissing) return out;
  const missing: number[] = [];
  o.hits.forEach((h, i) => {
    if (out[i] !== undefined) return;
    if (supportsText(o.embedder.languages, h.text)) missing.push(i);
    else out[i] = null;
  });
  if (missing.length > 0) {
    const vectors = await o.embedder.embed(missing.map((i) => o.hits[i]!.text), { signal: o.signal });
    missing.forEach((i, n) => (out[i] = vectors[n] ?? null));
  }
  return out;
}

/** Dot product of unit vectors (their cosine); vectors of other lengths compare as 0, never throw. */
export function cosine(a: Float32Array, b: Float32Array): number {
  return a.length === b.length ? dot(a, b) : 0;
}
