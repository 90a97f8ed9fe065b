import type { EmbeddingModel } from '../../spec/models.js';
import type { Store } from '../../spec/store.js';
import { supportsText } from '../../text/language.js';
import { cosine, hitVectors } from './hit-vectors.js';
import { minMax, relevanceScale } from './scale-scores.js';
import { applyRerankScores, type Reranker } from './reranker.js';

/** Weight of the embedding similarity in the blend (see the option; measured in docs/benchmarks.md). */
export const DEFAULT_EMBEDDING_RERANK_WEIGHT = 0.3;

export interface EmbeddingRerankerOptions {
  embedder: EmbeddingModel;
  /** Where stored vectors come from; without it (or for chunks it has no vector for) texts are embedded now. */
  store?: Store;
  /** 0 = retrieval order, 1 = embedding similarity only (default 0.3). */
  weight?: number;
  /** Embed hits that have no stored vector from this embedder (default true). */
  embedMissing?: boolean;
}

/**
 * Re-scores candidates by the cosine of the query's and each chunk's vector, blended with the retrieval
 * score: (1−w)·retrieval + w·cosine, each scaled to 0–1 over the candidates. Unlike hybrid fusion, which
 * gives a chunk outside the vector side's top candidates nothing, every candidate gets its exact cosine.
 * A query in a language the embedder does not represent leaves the order as it is (with a note): an
 * English-only model's vectors of Chinese text are noise. A chunk in such a language scores 0 on cosine.
 */
export function createEmbeddingReranker(options: EmbeddingRerankerOptions): Reranker {
  const weight = Math.min(1, Math.max(0, options.weight ?? DEFAULT_EMBEDDING_RERANK_WEIGHT));
  const { embedder } = options;
  return {
    id: `embedding:${embedder.id}:${weight}`,
    async rerank({ query, hits, k, signal, onNote }) {
      if (hits.length === 0) return [];
      if (!supportsText(embedder.languages, query)) {
        onNote?.(`${embedder.id} does not represent the query's language: embedding rerank skipped`);
        return hits.slice(0, k ?? hits.length);
      }
      const [queryVector] = await embedder.embed([query], { signal });
      const vectors = await hitVectors({ store: options.store, embedder, hits, embedMissing: options.embedMissing ?? true, signal });
      if (!queryVector || vectors.every((v) => !v)) {
        onNote?.(`no ${embedder.id} vectors for these passages: embedding rerank skipped`);
        return hits.slice(0, k ?? hits.length);
      }
      const cosines = vectors.map((v) => (v ? cosine(queryVector, v) : undefined));
      const known = cosines.filter((c): c is number => c !== undefined);
      const floor = Math.min(...known);
      const similarity = minMax(cosines.map((c) => c ?? floor));
      const relevance = relevanceScale(hits.map((h) => h.score));
      return applyRerankScores({ hits, scores: hits.map((_, i) => (1 - weight) * relevance[i]! + weight * similarity[i]!), k });
    },
  };
}
